import OutriggerCore

/// What a subscription's handler saw, and a way to wait for it.
actor DeliveryLog {
    private(set) var deliveries: [IncomingMessage] = []
    private var waiters: [Int: (condition: @Sendable ([IncomingMessage]) -> Bool, continuation: CheckedContinuation<Void, Never>)] = [:]
    private var nextWaiter = 0

    func record(_ message: IncomingMessage) {
        deliveries.append(message)
        for (id, waiter) in waiters where waiter.condition(deliveries) {
            waiters[id] = nil
            waiter.continuation.resume()
        }
    }

    /// The payloads as text, in delivery order.
    var payloads: [String] { deliveries.map { String(decoding: $0.data, as: UTF8.self) } }

    /// How often each payload was delivered.
    var counts: [String: Int] { payloads.reduce(into: [:]) { $0[$1, default: 0] += 1 } }

    /// Returns once `condition` holds, or when the task is cancelled (wrap it in `within`).
    func wait(until condition: @escaping @Sendable ([IncomingMessage]) -> Bool) async {
        if condition(deliveries) { return }
        nextWaiter += 1
        let id = nextWaiter
        await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                if Task.isCancelled { continuation.resume() } else { waiters[id] = (condition, continuation) }
            }
        } onCancel: {
            Task { await self.cancelWaiter(id) }
        }
    }

    private func cancelWaiter(_ id: Int) {
        waiters.removeValue(forKey: id)?.continuation.resume()
    }

    /// Waits until every payload in `expected` was delivered at least once.
    func waitForAll(_ expected: Set<String>) async {
        await wait { deliveries in expected.isSubset(of: Set(deliveries.map { String(decoding: $0.data, as: UTF8.self) })) }
    }
}

/// A gate handlers wait at until the test opens it.
actor Gate {
    private var open = false
    private var waiting: [CheckedContinuation<Void, Never>] = []

    func wait() async {
        if open { return }
        await withCheckedContinuation { waiting.append($0) }
    }

    func release() {
        open = true
        for continuation in waiting { continuation.resume() }
        waiting = []
    }
}
