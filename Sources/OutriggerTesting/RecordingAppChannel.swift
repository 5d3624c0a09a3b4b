import OutriggerCore
import OutriggerDelivery
import Synchronization

/// An app channel for tests: records every delivery and answers as the test scripts it.
///
/// ```swift
/// let app = RecordingAppChannel { event, attempt in attempt < 3 ? .retry("not yet") : .success }
/// // ... deliver through a pipeline ...
/// let first = try await app.nextDelivery(within: .seconds(5))
/// ```
public final class RecordingAppChannel: AppChannel {
    /// Decides the answer for a delivery; `attempt` counts deliveries of the same event id, from 1.
    public typealias Script = @Sendable (AppEvent, Int) async throws -> AppAnswer

    private struct State {
        var deliveries: [AppEvent] = []
        var attempts: [String: Int] = [:]
        var pending: [AppEvent] = []
        var waiters: [CheckedContinuation<AppEvent?, Never>] = []
        var batchSizes: [Int] = []
        var bindingEvents: [AppBindingEvent] = []
    }

    /// Decides the answer to an input-binding event; `count` numbers binding events from 1.
    public typealias BindingScript = @Sendable (AppBindingEvent, Int) async throws -> AppAnswer

    private let script: Script
    private let bindingScript: BindingScript
    private let wantedBindings: Set<String>
    private let state = Mutex(State())
    private let declared: [SubscriptionSpec]

    public init(
        subscriptions: [SubscriptionSpec] = [], wantedBindings: Set<String> = [],
        bindingScript: @escaping BindingScript = { _, _ in .success }, script: @escaping Script = { _, _ in .success }
    ) {
        self.declared = subscriptions
        self.wantedBindings = wantedBindings
        self.bindingScript = bindingScript
        self.script = script
    }

    /// Every delivery so far, in arrival order.
    public var deliveries: [AppEvent] { state.withLock { $0.deliveries } }

    /// How many times the event `id` reached the app.
    public func attempts(of id: String) -> Int { state.withLock { $0.attempts[id] ?? 0 } }

    public func subscriptions() async throws -> [SubscriptionSpec] { declared }

    public func deliver(_ event: AppEvent) async throws -> AppAnswer {
        let (attempt, waiter) = state.withLock { state -> (Int, CheckedContinuation<AppEvent?, Never>?) in
            state.deliveries.append(event)
            state.attempts[event.event.id, default: 0] += 1
            if state.waiters.isEmpty {
                state.pending.append(event)
                return (state.attempts[event.event.id]!, nil)
            }
            return (state.attempts[event.event.id]!, state.waiters.removeFirst())
        }
        waiter?.resume(returning: event)
        return try await script(event, attempt)
    }

    public func deliverBinding(_ event: AppBindingEvent) async throws -> AppAnswer {
        state.withLock { $0.bindingEvents.append(event) }
        return try await bindingScript(event, state.withLock { state in state.bindingEvents.count })
    }

    public func wantsBinding(name: String, route: String) async throws -> Bool { wantedBindings.contains(name) }

    /// Every input-binding event so far, in arrival order.
    public var bindingEvents: [AppBindingEvent] { state.withLock { $0.bindingEvents } }

    /// Batches are recorded too, and each entry answered by the script as a single event.
    public func deliverBulk(_ batch: AppBulkEvent) async throws -> [String: AppAnswer] {
        state.withLock { $0.batchSizes.append(batch.entries.count) }
        var answers: [String: AppAnswer] = [:]
        for entry in batch.entries {
            let event = AppEvent(path: batch.path, body: entry.body, contentType: "application/cloudevents+json", topic: batch.topic, pubsubName: batch.pubsubName, event: entry.event)
            answers[entry.entryID] = try await deliver(event)
        }
        return answers
    }

    /// The sizes of the bulk batches delivered so far.
    public var batchSizes: [Int] { state.withLock { $0.batchSizes } }

    /// The next delivery not yet taken, waiting up to `limit`; `nil` when none came in time.
    public func nextDelivery(within limit: Duration) async -> AppEvent? {
        await withTaskGroup(of: AppEvent?.self) { group in
            group.addTask { await self.takeNext() }
            group.addTask {
                try? await Task.sleep(for: limit)
                return nil
            }
            let first = await group.next() ?? nil
            group.cancelAll()
            if first == nil { self.cancelWaiters() }
            return first
        }
    }

    private func takeNext() async -> AppEvent? {
        await withCheckedContinuation { continuation in
            let ready = state.withLock { state -> AppEvent? in
                if !state.pending.isEmpty { return state.pending.removeFirst() }
                state.waiters.append(continuation)
                return nil
            }
            if let ready { continuation.resume(returning: ready) }
        }
    }

    private func cancelWaiters() {
        let waiters = state.withLock { state in
            defer { state.waiters = [] }
            return state.waiters
        }
        for waiter in waiters { waiter.resume(returning: nil) }
    }
}
