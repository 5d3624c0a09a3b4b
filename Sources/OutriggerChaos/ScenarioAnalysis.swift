/// Turns a scenario's ledger and fault records into its ``ScenarioResult``.
struct ScenarioAnalysis {
    let snapshot: LedgerSnapshot
    let faults: [FaultRecord]

    func fill(_ result: inout ScenarioResult) {
        let publishes = snapshot.publishes
        var deliveries = Array(repeating: [Arrival](), count: publishes.count)
        var deadLettered = Set<Int>()
        for arrival in snapshot.arrivals {
            if arrival.answer == nil { deadLettered.insert(arrival.sequence) }
            if arrival.isDelivery { deliveries[arrival.sequence].append(arrival) }
        }
        result.accepted = publishes.count { $0.acceptedAt != nil }
        result.delivered = publishes.indices.count { publishes[$0].acceptedAt != nil && !deliveries[$0].isEmpty }
        result.deadLettered = deadLettered.count
        result.lost = snapshot.unaccounted()
        for sequence in result.lost {
            result.lossCauses[lossCause(acceptedAt: publishes[sequence].acceptedAt ?? 0), default: 0] += 1
        }
        var latencies: [Double] = []
        for sequence in publishes.indices {
            let list = deliveries[sequence].sorted { $0.time < $1.time }
            if let acceptedAt = publishes[sequence].acceptedAt, let first = list.first { latencies.append(max(0, first.time - acceptedAt)) }
            for index in list.indices.dropFirst() {
                result.duplicates[cause(of: list[index], after: list[index - 1], tries: publishes[sequence].tries), default: 0] += 1
            }
        }
        latencies.sort()
        result.latencyP50 = Self.percentile(latencies, 0.50)
        result.latencyP99 = Self.percentile(latencies, 0.99)
        result.faults = faults.map { outcome(of: $0, deliveries: deliveries) }
    }

    /// A second delivery comes from an acknowledgement that never reached the broker: the
    /// fault injected between the two deliveries, or the publisher's own second try.
    private func cause(of duplicate: Arrival, after previous: Arrival, tries: Int) -> String {
        if let fault = faults.first(where: { $0.injectedAt >= previous.time - 1 && $0.injectedAt <= duplicate.time }) {
            return "after " + fault.fault.name
        }
        if tries > 1 { return "publish sent again" }
        return "redelivered, no fault"
    }

    /// A lost event is put down to the latest fault injected before it was accepted (up to 1 s
    /// after), when it was accepted during that fault or up to 5 s after it was over.
    private func lossCause(acceptedAt: Double) -> String {
        guard let fault = faults.last(where: { $0.injectedAt - 1 <= acceptedAt }), acceptedAt <= fault.backAt + 5 else {
            return "accepted away from any fault"
        }
        return "accepted around " + fault.fault.name
    }

    private func outcome(of record: FaultRecord, deliveries: [[Arrival]]) -> FaultOutcome {
        var outcome = FaultOutcome(record: record)
        let all = snapshot.arrivals.filter(\.isDelivery)
        let faulted: SidecarIndex?
        switch record.fault {
        case .killSidecar(let index), .terminateSidecar(let index): faulted = index
        case .restartBroker, .pauseApp: faulted = nil
        }
        let recovered = all.filter { $0.time >= record.backAt && (faulted == nil || $0.sidecar == faulted) }.map(\.time).min()
        outcome.recovery = recovered.map { $0 - record.injectedAt }
        guard let faulted else { return outcome }
        outcome.othersContinued = all.filter { $0.time >= record.injectedAt && $0.sidecar != faulted }.map(\.time).min().map { $0 - record.injectedAt }
        guard case .killSidecar = record.fault else { return outcome }
        var reachedBefore = Set<Int>()
        for arrival in snapshot.arrivals where arrival.answer != nil && arrival.sidecar == faulted && arrival.time < record.injectedAt {
            reachedBefore.insert(arrival.sequence)
        }
        var settledBefore = Set<Int>()
        for arrival in snapshot.arrivals where arrival.time < record.injectedAt && (arrival.isDelivery || arrival.answer == nil) {
            settledBefore.insert(arrival.sequence)
        }
        outcome.stranded = reachedBefore.subtracting(settledBefore).count
        outcome.takenOver = reachedBefore.count { sequence in
            deliveries[sequence].contains { $0.sidecar != faulted && $0.time >= record.injectedAt && $0.time <= record.backAt }
        }
        return outcome
    }

    static func percentile(_ sorted: [Double], _ share: Double) -> Double? {
        guard !sorted.isEmpty else { return nil }
        let rank = Int((share * Double(sorted.count)).rounded(.up)) - 1
        return sorted[min(max(rank, 0), sorted.count - 1)]
    }
}
