import CloudEvents

/// One node of a parsed `match` expression.
///
/// Every node remembers its column so evaluation errors can point at the part of
/// the expression that failed, and its height so the parser can refuse trees
/// deep enough to exhaust the stack while evaluating them.
struct RouteMatchNode: Sendable {
    /// What the node computes.
    indirect enum Kind: Sendable {
        case literal(JSONValue)
        /// The event itself, the only root a path can start from.
        case event
        case list([RouteMatchNode])
        case field(RouteMatchNode, name: String)
        case index(RouteMatchNode, key: RouteMatchNode)
        /// `has(operand.name)`: whether `operand` is a map with key `name`.
        case has(RouteMatchNode, name: String)
        case not(RouteMatchNode)
        case negate(RouteMatchNode)
        case binary(RouteMatchOperator, RouteMatchNode, RouteMatchNode)
        /// A chain of `&&`, kept flat so long chains do not deepen the tree.
        case allOf([RouteMatchNode])
        /// A chain of `||`, kept flat for the same reason.
        case anyOf([RouteMatchNode])
        case conditional(RouteMatchNode, then: RouteMatchNode, otherwise: RouteMatchNode)
        case size(RouteMatchNode)
        case stringTest(RouteMatchStringTest, RouteMatchNode, argument: RouteMatchNode)
        /// `matches` with a literal pattern, compiled when the expression was parsed.
        case matchesPattern(RouteMatchNode, RouteMatchPattern)
    }

    let kind: Kind
    let position: Int
    /// Longest path from this node to a leaf, counting this node.
    let height: Int

    init(_ kind: Kind, at position: Int) {
        self.kind = kind
        self.position = position
        self.height = 1 + (kind.children.map(\.height).max() ?? 0)
    }
}

extension RouteMatchNode.Kind {
    fileprivate var children: [RouteMatchNode] {
        switch self {
        case .literal, .event: []
        case .list(let items), .allOf(let items), .anyOf(let items): items
        case .field(let operand, _), .has(let operand, _), .not(let operand), .negate(let operand),
             .size(let operand), .matchesPattern(let operand, _):
            [operand]
        case .index(let operand, let key): [operand, key]
        case .binary(_, let left, let right): [left, right]
        case .stringTest(_, let receiver, let argument): [receiver, argument]
        case .conditional(let condition, let then, let otherwise): [condition, then, otherwise]
        }
    }
}

/// The binary operators other than `&&` and `||`, which need their own error rules.
enum RouteMatchOperator: String, Sendable {
    case equal = "==", notEqual = "!="
    case less = "<", lessOrEqual = "<=", greater = ">", greaterOrEqual = ">="
    case `in` = "in"
    case add = "+", subtract = "-", multiply = "*", divide = "/", remainder = "%"
}

/// The string methods that take one string argument and answer a boolean.
enum RouteMatchStringTest: String, Sendable {
    case startsWith, endsWith, contains, matches
}
