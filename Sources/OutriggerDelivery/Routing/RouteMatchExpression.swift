import CloudEvents

/// A parsed `match` expression; parse once at subscribe time, evaluate per event.
///
/// The language is the subset of CEL that Dapr subscriptions use in
/// `routes.rules[].match`, for example
/// `event.type == "widget" && event.data.price > 100`. Paths start at `event`, the
/// CloudEvent as JSON; `data` holds the parsed payload. Numbers are compared and
/// combined as `Double`, because JSON has a single number type.
///
/// Two expressions are equal when their source text is, which is what a
/// subscription reload needs to tell whether a rule changed.
public struct RouteMatchExpression: Sendable, Hashable, CustomStringConvertible {
    /// Longest expression accepted, in Unicode scalars; longer text is refused
    /// before lexing so hostile configuration cannot cost unbounded work.
    public static let maximumLength = 10_000
    /// Deepest nesting accepted (brackets, unary operators, operator chains),
    /// so parsing and evaluating cannot exhaust the stack.
    public static let maximumNesting = 100

    /// The expression as written in the subscription.
    public let source: String
    private let root: RouteMatchNode

    /// Parses `source`, rejecting unknown names, wrong argument counts and invalid
    /// literal regular expressions as well as malformed text.
    public init(_ source: String) throws(RouteMatchSyntaxError) {
        var parser = try RouteMatchParser(source)
        self.root = try parser.parse()
        self.source = source
    }

    /// `event` is the CloudEvent as a JSON object (attributes type, source, id,
    /// subject, specversion, datacontenttype, time, extensions, and `data` as
    /// parsed JSON).
    ///
    /// True only if the expression evaluates to boolean true. An evaluation error
    /// (missing field without has(), type mismatch, non-boolean result) is `false`.
    public func matches(_ event: JSONObject) -> Bool {
        evaluate(event) == .success(true)
    }

    /// Same as ``matches(_:)``, but tells why the expression failed to evaluate,
    /// for logging.
    public func evaluate(_ event: JSONObject) -> Result<Bool, RouteMatchEvaluationError> {
        let result: JSONValue
        do throws(RouteMatchEvaluationError) {
            result = try RouteMatchEvaluator(event: event).value(of: root)
        } catch {
            return .failure(error)
        }
        guard case .bool(let flag) = result else {
            let type = RouteMatchSemantics.typeName(of: result)
            return .failure(RouteMatchEvaluationError(message: "expression produced a \(type), not a bool"))
        }
        return .success(flag)
    }

    /// The expression as written.
    public var description: String { source }

    /// Compares source text; the parsed trees follow from it.
    public static func == (lhs: RouteMatchExpression, rhs: RouteMatchExpression) -> Bool {
        lhs.source == rhs.source
    }

    /// Hashes the source text, consistently with `==`.
    public func hash(into hasher: inout Hasher) {
        hasher.combine(source)
    }
}
