import Dispatch
import Foundation
import OutriggerSeam
import Synchronization

/// Keeps the messages a subscriber still works on from being redelivered: every `interval`
/// it sends `+WPI` (``JetStreamSubscription/markInProgress(_:)``) for each message held since
/// the previous tick or longer, which restarts the message's AckWait on the server.
///
/// A keep-alive, not a retry: it sends nothing for messages that were settled, and never
/// re-sends a message. It ticks from ``start()`` to ``stop()``. The set it tracks holds
/// exactly the messages its owner holds, so it is as bounded as they are.
public final class InProgressKeepAlive: Sendable {
    private struct Held {
        var message: JetStreamMessage
        var since: AnyClock.Instant
    }

    /// How often held messages are marked in progress.
    public let interval: Duration
    private let clock: AnyClock
    private let held = Mutex([ObjectIdentifier: Held]())
    /// Set while the ticking thread runs; signalling it ends the thread.
    private let stopSignal = Mutex<DispatchSemaphore?>(nil)

    /// - Parameter interval: the tick; a quarter of the consumer's AckWait keeps a message that
    ///   is held for long from ever reaching its AckWait, even when a tick comes late.
    public init(interval: Duration, clock: AnyClock = .continuous) {
        self.interval = interval
        self.clock = clock
    }

    /// Starts keeping `messages` alive.
    public func hold(_ messages: [JetStreamMessage]) {
        let now = clock.now
        held.withLock { held in
            for message in messages { held[ObjectIdentifier(message)] = Held(message: message, since: now) }
        }
    }

    /// Stops keeping `messages` alive (settled).
    public func release(_ messages: [JetStreamMessage]) {
        held.withLock { held in
            for message in messages { held.removeValue(forKey: ObjectIdentifier(message)) }
        }
    }

    /// How many messages are tracked.
    public var count: Int { held.withLock { $0.count } }

    /// The messages held for at least `age` at `now`.
    public func due(at now: AnyClock.Instant, age: Duration) -> [JetStreamMessage] {
        held.withLock { held in held.values.filter { $0.since.duration(to: now) >= age }.map(\.message) }
    }

    /// Starts ticking, now, on a thread of its own: every `interval` the messages held since the
    /// previous tick or longer are marked in progress, the `+WPI`s handed to the connection's
    /// sending thread without waiting. Nothing of it runs on the task pool: a pool kept busy by
    /// handlers (2 cores, many deliveries) once delayed the keep-alive past AckWait and the server
    /// redelivered a message that was still being handled. Call ``stop()`` to end it.
    public func start() {
        let semaphore = DispatchSemaphore(value: 0)
        guard stopSignal.withLock({ current in
            guard current == nil else { return false }
            current = semaphore
            return true
        }) else { return }
        let every = DispatchTimeInterval.milliseconds(max(1, Int(interval / .milliseconds(1))))
        let thread = Thread { [self] in
            while semaphore.wait(timeout: .now() + every) == .timedOut { tick() }
        }
        thread.name = "nats-keep-alive"
        thread.start()
    }

    /// Ends the ticking ``start()`` began (its thread exits at its next wake-up, at once).
    public func stop() {
        stopSignal.withLock { $0 }?.signal()
    }

    /// Marks the messages held for at least one interval as in progress, one batch per subscription.
    func tick() {
        let due = due(at: clock.now, age: interval)
        for messages in Dictionary(grouping: due, by: { ObjectIdentifier($0.subscription) }).values {
            messages[0].subscription.queueInProgress(messages)
        }
    }
}
