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
        /// Deliveries of a payload that came after it had been acknowledged: duplicates.
        var duplicates: [String: Int] = [:]
        /// Deliveries beyond the first that came before the payload was acknowledged.
        var redeliveries: [String: Int] = [:]
        /// The receivers (subscriptions) that acknowledged each payload.
        var acknowledgedBy: [String: Set<String>] = [:]

        /// Whether every one of `payloads` was acknowledged at least once.
        func allAcknowledged(_ payloads: [String]) -> Bool {
            payloads.allSatisfy { successes[$0, default: 0] >= 1 }
        }

        /// Duplicate deliveries of `payloads`, in total.
        func duplicateCount(of payloads: [String]) -> Int { payloads.reduce(0) { $0 + duplicates[$1, default: 0] } }

        /// Redeliveries of `payloads` before their acknowledgement, in total.
        func redeliveryCount(of payloads: [String]) -> Int { payloads.reduce(0) { $0 + redeliveries[$1, default: 0] } }
    }

    typealias Condition = @Sendable (Snapshot) -> Bool

    private(set) var snapshot = Snapshot()
    private var waiters: [UInt64: (condition: Condition, continuation: CheckedContinuation<Bool, Never>)] = [:]
    private var nextWaiter: UInt64 = 0

    /// Records one delivery of `payload` to `receiver`, and whether its handler succeeded.
    func record(topic: String, payload: String, succeeded: Bool, receiver: String = "") {
        if snapshot.successes[payload, default: 0] > 0 {
            snapshot.duplicates[payload, default: 0] += 1
        } else if snapshot.attempts[payload, default: 0] > 0 {
            snapshot.redeliveries[payload, default: 0] += 1
        }
        snapshot.attempts[payload, default: 0] += 1
        if snapshot.topicOf[payload] == nil { snapshot.topicOf[payload] = topic }
        if succeeded {
            snapshot.successes[payload, default: 0] += 1
            snapshot.acknowledgedBy[payload, default: []].insert(receiver)
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
