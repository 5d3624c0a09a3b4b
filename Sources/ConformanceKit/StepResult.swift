/// The outcome of one conformance step.
public struct StepResult: Sendable, CustomStringConvertible {
    /// Whether the step held; a skip says why the step could not apply to the component.
    public enum Outcome: Sendable, Equatable {
        case passed
        case failed(String)
        case skipped(String)
    }

    public var step: String
    public var outcome: Outcome
    /// What the step measured besides its verdict (counts of redeliveries, duplicates, shares).
    public var detail: String?

    public init(_ step: String, _ outcome: Outcome, detail: String? = nil) {
        self.step = step
        self.outcome = outcome
        self.detail = detail
    }

    public var passed: Bool { outcome == .passed }

    public var description: String {
        let measured = detail.map { " (\($0))" } ?? ""
        return switch outcome {
        case .passed: "PASS  \(step)\(measured)"
        case .failed(let reason): "FAIL  \(step): \(reason)\(measured)"
        case .skipped(let reason): "SKIP  \(step): \(reason)"
        }
    }
}

/// Every step's outcome for one component profile.
public struct ConformanceReport: Sendable, CustomStringConvertible {
    public var subject: String
    public var results: [StepResult] = []

    public init(subject: String) { self.subject = subject }

    /// The result of `step`, if it ran.
    public func result(of step: String) -> StepResult.Outcome? {
        results.first { $0.step == step }?.outcome
    }

    /// The measured detail of `step`, if it ran and reported one.
    public func detail(of step: String) -> String? {
        results.first { $0.step == step }?.detail
    }

    public var failures: [StepResult] { results.filter { if case .failed = $0.outcome { true } else { false } } }
    public var skipped: [StepResult] { results.filter { if case .skipped = $0.outcome { true } else { false } } }

    public var description: String {
        let passed = results.filter(\.passed).count
        var lines = ["conformance \(subject)"]
        lines += results.map { "  \($0)" }
        lines.append("\(subject): \(passed) passed, \(failures.count) failed, \(skipped.count) skipped")
        return lines.joined(separator: "\n")
    }
}
