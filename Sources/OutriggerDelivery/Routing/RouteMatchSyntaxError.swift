/// Why a subscription's `match` expression could not be parsed.
///
/// Raised once, when the subscription is loaded, so an operator sees the mistake
/// before any event is routed by it.
public struct RouteMatchSyntaxError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The expression as written in the subscription.
    public var expression: String
    /// 1-based column of the offending text, counted in Unicode scalars.
    public var position: Int
    /// What is wrong, including the column, e.g. `expected ')' at column 14`.
    public var message: String

    /// Creates an error with a ready-made message.
    public init(expression: String, position: Int, message: String) {
        self.expression = expression
        self.position = position
        self.message = message
    }

    /// Builds the message from the problem, so every message names its column
    /// the same way and a hint always follows after a semicolon.
    init(in expression: String, at position: Int, _ problem: String, hint: String? = nil) {
        var message = "\(problem) at column \(position)"
        if let hint { message += "; \(hint)" }
        self.init(expression: expression, position: position, message: message)
    }

    /// The message, then the expression with a caret under the offending column.
    public var description: String {
        let (excerpt, caretColumn) = excerptAroundPosition()
        // The caret is padded in scalars because that is how `position` counts.
        let padding = String(repeating: " ", count: max(0, caretColumn - 1))
        return "\(message)\n  \(excerpt)\n  \(padding)^"
    }

    /// A single line of at most about 80 scalars around the error, so a log line
    /// stays readable even for a very long expression.
    private func excerptAroundPosition() -> (text: String, caretColumn: Int) {
        let radius = 40
        let scalars = expression.unicodeScalars.map { $0 == "\n" || $0 == "\r" || $0 == "\t" ? " " : $0 }
        let start = min(scalars.count, max(0, position - 1 - radius))
        let end = min(scalars.count, position - 1 + radius)
        var text = String(String.UnicodeScalarView(scalars[start..<max(start, end)]))
        var caretColumn = position - start
        if start > 0 {
            text = "…" + text
            caretColumn += 1
        }
        if end < scalars.count { text += "…" }
        return (text, caretColumn)
    }
}
