/// The outcome of one conformance step.
public struct StepResult: Sendable, CustomStringConvertible {
    public enum Outcome: Sendable, Equatable {
        case passed
        case failed(String)
        case skipped(String)
    }

    public var step: String
    public var outcome: Outcome

    public init(_ step: String, _ outcome: Outcome) {
        self.step = step
        self.outcome = outcome
    }

    public var passed: Bool { outcome == .passed }

    public var description: String {
        switch outcome {
        case .passed: "PASS  \(step)"
        case .failed(let reason): "FAIL  \(step): \(reason)"
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
