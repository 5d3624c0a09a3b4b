/// A circuit breaker's `trip` condition: comparisons of the breaker's counters joined by
/// `&&` and `||` (no parentheses), e.g. `consecutiveFailures >= 5 || totalFailures > 100`.
///
/// Counters: `requests`, `totalSuccesses`, `totalFailures`, `consecutiveSuccesses`,
/// `consecutiveFailures`, as in Dapr. `&&` binds tighter than `||`.
public struct TripCondition: Sendable, Hashable, CustomStringConvertible {
    /// The counts a breaker keeps while closed.
    public struct Counts: Sendable, Hashable {
        public var requests = 0
        public var totalSuccesses = 0
        public var totalFailures = 0
        public var consecutiveSuccesses = 0
        public var consecutiveFailures = 0

        public init() {}

        func value(of counter: String) -> Int {
            switch counter {
            case "requests": requests
            case "totalSuccesses": totalSuccesses
            case "totalFailures": totalFailures
            case "consecutiveSuccesses": consecutiveSuccesses
            default: consecutiveFailures
            }
        }
    }

    public struct SyntaxError: Error, Sendable, CustomStringConvertible {
        public var description: String
    }

    private struct Comparison: Sendable, Hashable {
        var counter: String
        var op: String
        var limit: Int
    }

    public let source: String
    /// Disjunction of conjunctions.
    private let clauses: [[Comparison]]

    private static let counters: Set<String> = ["requests", "totalSuccesses", "totalFailures", "consecutiveSuccesses", "consecutiveFailures"]
    private static let operators = [">=", "<=", "==", "!=", ">", "<"]

    public init(_ source: String) throws(SyntaxError) {
        self.source = source
        var clauses: [[Comparison]] = []
        for disjunct in source.components(separatedBy: "||") {
            var conjunction: [Comparison] = []
            for term in disjunct.components(separatedBy: "&&") {
                conjunction.append(try Self.comparison(term, in: source))
            }
            clauses.append(conjunction)
        }
        self.clauses = clauses
    }

    private static func comparison(_ term: String, in source: String) throws(SyntaxError) -> Comparison {
        for op in operators {
            let parts = term.components(separatedBy: op)
            guard parts.count == 2 else { continue }
            let counter = parts[0].trimmingCharacters(in: " ")
            let limitText = parts[1].trimmingCharacters(in: " ")
            guard counters.contains(String(counter)) else {
                throw SyntaxError(description: "trip '\(source)': unknown counter '\(counter)'; use one of \(counters.sorted().joined(separator: ", "))")
            }
            guard let limit = Int(limitText) else {
                throw SyntaxError(description: "trip '\(source)': '\(limitText)' is not an integer")
            }
            return Comparison(counter: String(counter), op: op, limit: limit)
        }
        throw SyntaxError(description: "trip '\(source)': expected a comparison like 'consecutiveFailures >= 5', got '\(term.trimmingCharacters(in: " "))'")
    }

    /// True when `counts` satisfy the condition: the breaker opens.
    public func isSatisfied(by counts: Counts) -> Bool {
        clauses.contains { conjunction in
            conjunction.allSatisfy { comparison in
                let value = counts.value(of: comparison.counter)
                switch comparison.op {
                case ">=": return value >= comparison.limit
                case "<=": return value <= comparison.limit
                case "==": return value == comparison.limit
                case "!=": return value != comparison.limit
                case ">": return value > comparison.limit
                default: return value < comparison.limit
                }
            }
        }
    }

    public var description: String { source }
}
