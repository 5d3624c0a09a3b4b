import Foundation

/// The results of a chaos run as a Markdown document: one table row per scenario, then what
/// each fault did, then what each broker can promise.
public struct ChaosReport: Sendable {
    /// One result per scenario, in the order they ran.
    public var results: [ScenarioResult]
    /// The command that ran, for the reader to repeat it.
    public var command: String
    /// When the run started (UTC).
    public var started: Date

    /// A report of `results`, run by `command` from `started` on.
    public init(results: [ScenarioResult], command: String, started: Date) {
        self.results = results
        self.command = command
        self.started = started
    }

    /// True when some scenario lost an accepted event or could not finish its count.
    public var failed: Bool {
        results.contains { result in
            if case .aborted = result.status { return true }
            return !result.lost.isEmpty
        }
    }

    /// The lost events of each scenario that lost some: the first 20 ids and the count.
    public var lossSummary: [String] {
        results.filter { !$0.lost.isEmpty }.map { result in
            let ids = result.lost.prefix(20).map(String.init).joined(separator: ", ")
            return "\(result.broker.rawValue) seed \(result.seed): \(result.lost.count) lost: \(ids)\(result.lost.count > 20 ? ", …" : "")"
        }
    }

    /// One line per scenario, for the console as the run goes.
    public var summaryLine: String {
        results.map { result in
            let head = "\(result.broker.rawValue) seed \(result.seed):"
            switch result.status {
            case .notRun(let reason): return "\(head) not run: \(reason)"
            case .aborted(let reason): return "\(head) ABORTED: \(reason)"
            case .ran:
                return "\(head) \(result.accepted) accepted, \(result.lost.count) lost, \(result.duplicateCount) duplicates, "
                    + "\(result.deadLettered) dead-lettered, \(result.dropped) dropped, in \(Format.seconds(result.wallTime))"
            }
        }.joined(separator: "\n")
    }

    /// The document.
    public var markdown: String {
        var text = "# Chaos run \(Self.timestamp(started, format: "yyyy-MM-dd HH:mm 'UTC'"))\n\n"
        text += "Command: `\(command)`\n\n"
        text += "| broker | seed | events | accepted | lost | duplicates (cause) | dead-lettered | dropped | p50 | p99 | time |\n"
        text += "|---|---|---|---|---|---|---|---|---|---|---|\n"
        for result in results { text += row(result) }
        text += "\n## Recovery after each fault\n\n"
        text += "Recovery: from the injection to the first delivery after the broken part was back (through that sidecar for a sidecar fault). "
        text += "Others: from the injection to the first delivery through the other sidecar. "
        text += "Stranded / taken over (kill -9): events the killed sidecar had in retries at the kill / events that had reached the app through it and were delivered by the other sidecar before it was back.\n\n"
        text += "| broker | seed | fault | at event | recovery | others | stranded | taken over |\n|---|---|---|---|---|---|---|---|\n"
        for result in results {
            for fault in result.faults {
                text += "| \(result.broker.rawValue) | \(result.seed) | \(fault.record.fault.name) | \(fault.record.publishedBefore) | "
                text += "\(fault.recovery.map(Format.seconds) ?? "no later delivery") | \(fault.othersContinued.map(Format.seconds) ?? "") | "
                text += "\(fault.stranded.map(String.init) ?? "") | \(fault.takenOver.map(String.init) ?? "") |\n"
            }
        }
        text += "\n## What each broker was put through\n\n| broker | broker restart | two sidecars in one group |\n|---|---|---|\n"
        for broker in ChaosBroker.allCases where results.contains(where: { $0.broker == broker }) {
            text += "| \(broker.rawValue) | \(broker.restartDescription) | \(broker.sharingNote) |\n"
        }
        if !lossSummary.isEmpty { text += "\n## Lost events\n\n" + lossSummary.map { "- \($0)\n" }.joined() }
        return text
    }

    private func row(_ result: ScenarioResult) -> String {
        let head = "| \(result.broker.rawValue) | \(result.seed) | \(result.events) | "
        switch result.status {
        case .notRun(let reason):
            return head + "not run on this machine: \(reason) | | | | | | | |\n"
        case .aborted(let reason):
            return head + "\(result.accepted) | **aborted**: \(reason.replacingOccurrences(of: "|", with: "/")) | | | | | | \(Format.seconds(result.wallTime)) |\n"
        case .ran:
            let causes = result.duplicates.sorted { $0.value > $1.value }.map { "\($0.value) \($0.key)" }.joined(separator: "; ")
            let duplicates = result.duplicateCount == 0 ? "0" : "\(result.duplicateCount) (\(causes))"
            let lossCauses = result.lossCauses.sorted { $0.value > $1.value }.map { "\($0.value) \($0.key)" }.joined(separator: "; ")
            let lost = result.lost.isEmpty ? "0" : "**\(result.lost.count)** (\(lossCauses))"
            return head + "\(result.accepted) | \(lost) | \(duplicates) | \(result.deadLettered) | \(result.dropped) | "
                + "\(result.latencyP50.map(Format.latency) ?? "-") | \(result.latencyP99.map(Format.latency) ?? "-") | \(Format.seconds(result.wallTime)) |\n"
        }
    }

    /// `date` in UTC with `format`.
    public static func timestamp(_ date: Date, format: String) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = format
        return formatter.string(from: date)
    }
}
