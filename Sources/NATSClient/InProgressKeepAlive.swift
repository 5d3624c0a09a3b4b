import OutriggerSeam
import Synchronization

/// Keeps the messages a subscriber still works on from being redelivered: every `interval`
/// it sends `+WPI` (``JetStreamSubscription/markInProgress(_:)``) for each message held since
/// the previous tick or longer, which restarts the message's AckWait on the server.
///
/// A keep-alive, not a retry: it sends nothing for messages that were settled, and never
/// re-sends a message. ``run()`` loops until its task is cancelled. The set it tracks holds
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

    /// Every `interval`, marks the messages held since the previous tick as in progress.
    /// Returns when its task is cancelled.
    public func run() async {
        while !Task.isCancelled {
            do {
                try await clock.sleep(for: interval)
            } catch {
                return
            }
            let due = due(at: clock.now, age: interval)
            // One batch per subscription: acknowledgements go through the message's own.
            let bySubscription = Dictionary(grouping: due) { ObjectIdentifier($0.subscription) }
            for messages in bySubscription.values {
                await messages[0].subscription.markInProgress(messages)
            }
        }
    }
}
