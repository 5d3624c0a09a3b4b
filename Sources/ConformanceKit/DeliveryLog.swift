/// What a conformance subscriber received, with a way to wait for a condition on it.
actor DeliveryLog {
    /// The log's content at one moment.
    struct Snapshot: Sendable {
        /// Deliveries per payload, successful or not.
        var attempts: [String: Int] = [:]
        /// Successful (acknowledged) deliveries per payload.
        var successes: [String: Int] = [:]
        /// Payloads in the order of their first successful delivery, per topic.
        var successOrder: [String: [String]] = [:]
        /// Topic each payload was received on (first delivery).
        var topicOf: [String: String] = [:]
        /// Payloads whose handler failed at least once.
        var failed: Set<String> = []
    }

    typealias Condition = @Sendable (Snapshot) -> Bool

    private(set) var snapshot = Snapshot()
    private var waiters: [UInt64: (condition: Condition, continuation: CheckedContinuation<Bool, Never>)] = [:]
    private var nextWaiter: UInt64 = 0

    func record(topic: String, payload: String, succeeded: Bool) {
        snapshot.attempts[payload, default: 0] += 1
        if snapshot.topicOf[payload] == nil { snapshot.topicOf[payload] = topic }
        if succeeded {
            snapshot.successes[payload, default: 0] += 1
            if snapshot.successes[payload] == 1 { snapshot.successOrder[topic, default: []].append(payload) }
        } else {
            snapshot.failed.insert(payload)
        }
        for (id, waiter) in waiters where waiter.condition(snapshot) {
            waiters[id] = nil
            waiter.continuation.resume(returning: true)
        }
    }

    /// Waits until `condition` holds or `limit` passes; returns whether it holds.
    nonisolated func wait(within limit: Duration, until condition: @escaping Condition) async -> Bool {
        await withTaskGroup(of: Bool.self) { group in
            group.addTask { await self.waitForever(condition) }
            group.addTask {
                try? await Task.sleep(for: limit)
                return false
            }
            let first = await group.next() ?? false
            group.cancelAll()
            await self.releaseWaiters()
            return first
        }
    }

    private func waitForever(_ condition: @escaping Condition) async -> Bool {
        if condition(snapshot) { return true }
        nextWaiter += 1
        let id = nextWaiter
        return await withCheckedContinuation { waiters[id] = (condition, $0) }
    }

    private func releaseWaiters() {
        for waiter in waiters.values { waiter.continuation.resume(returning: false) }
        waiters = [:]
    }
}
