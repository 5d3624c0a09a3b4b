/// One lexical unit of a `match` expression, with where it starts.
struct RouteMatchToken: Sendable, Equatable {
    /// The kinds of token the subset of CEL needs.
    enum Kind: Sendable, Equatable {
        /// A name; keywords (`true`, `in`, …) stay names here because a field
        /// after `.` may legitimately be called `in` or `null`.
        case identifier(String)
        /// A number literal, normalised to JSON number text.
        case number(String)
        /// A string literal with its escapes already decoded.
        case string(String)
        case leftParen, rightParen, leftBracket, rightBracket
        case dot, comma, question, colon
        case bang, minus, plus, star, slash, percent
        case equal, notEqual, less, lessOrEqual, greater, greaterOrEqual
        case and, or
        case end
    }

    var kind: Kind
    /// 1-based column of the token's first scalar.
    var position: Int
    /// The token as written, for quoting it back in error messages.
    var text: String

    /// How the token reads in an error message.
    var quoted: String {
        kind == .end ? "end of expression" : "'\(text)'"
    }
}
