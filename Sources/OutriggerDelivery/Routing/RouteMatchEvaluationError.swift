/// Why a `match` expression could not be evaluated against one event.
///
/// Routing treats this as "no match"; the message is only for logs, so it says
/// which part of the expression failed and why.
public struct RouteMatchEvaluationError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What went wrong, e.g. `no such key 'price' at column 12`.
    public var message: String

    /// Creates an error with a ready-made message.
    public init(message: String) {
        self.message = message
    }

    /// Builds the message so every evaluation error names its column the same way.
    init(_ problem: String, at position: Int) {
        self.init(message: "\(problem) at column \(position)")
    }

    /// The message.
    public var description: String { message }
}
