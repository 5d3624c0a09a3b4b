import CloudEvents

/// Turns a `match` expression into a tree, rejecting anything outside the subset
/// of CEL that routing supports.
///
/// Recursive descent with one method per CEL precedence level, loosest first:
/// `?:`, `||`, `&&`, relations, `+ -`, `* / %`, unary `! -`, then member access,
/// indexing and calls. Everything that can be checked without an event (names,
/// argument counts, literal regular expressions) is checked here so a broken
/// subscription fails when it is loaded, not silently per event.
struct RouteMatchParser {
    private let source: String
    private var lexer: RouteMatchLexer
    /// The token being looked at; calls in the companion file read it too.
    private(set) var token: RouteMatchToken
    /// How many sub-expressions are being parsed inside one another right now.
    private var nesting = 0

    init(_ source: String) throws(RouteMatchSyntaxError) {
        let limit = RouteMatchExpression.maximumLength
        guard source.unicodeScalars.count <= limit else {
            throw RouteMatchSyntaxError(in: source, at: limit + 1, "expression is longer than \(limit) characters")
        }
        self.source = source
        self.lexer = RouteMatchLexer(source)
        self.token = try lexer.next()
    }

    /// Parses the whole text as one expression.
    mutating func parse() throws(RouteMatchSyntaxError) -> RouteMatchNode {
        let root = try conditional()
        guard token.kind == .end else {
            throw error("unexpected \(token.quoted)", at: token.position,
                        hint: "expected an operator or the end of the expression")
        }
        return root
    }

    // MARK: - Precedence levels

    mutating func conditional() throws(RouteMatchSyntaxError) -> RouteMatchNode {
        try enterNesting()
        defer { nesting -= 1 }
        let condition = try logicalOr()
        guard token.kind == .question else { return condition }
        let position = token.position
        try advance()
        let then = try logicalOr()
        try expect(.colon, "':'")
        let otherwise = try conditional()
        return try build(.conditional(condition, then: then, otherwise: otherwise), at: position)
    }

    private mutating func logicalOr() throws(RouteMatchSyntaxError) -> RouteMatchNode {
        let first = try logicalAnd()
        guard token.kind == .or else { return first }
        let position = token.position
        var operands = [first]
        while token.kind == .or {
            try advance()
            operands.append(try logicalAnd())
        }
        return try build(.anyOf(operands), at: position)
    }

    private mutating func logicalAnd() throws(RouteMatchSyntaxError) -> RouteMatchNode {
        let first = try relation()
        guard token.kind == .and else { return first }
        let position = token.position
        var operands = [first]
        while token.kind == .and {
            try advance()
            operands.append(try relation())
        }
        return try build(.allOf(operands), at: position)
    }

    private mutating func relation() throws(RouteMatchSyntaxError) -> RouteMatchNode {
        var left = try addition()
        while let op = relationOperator() {
            let position = token.position
            try advance()
            left = try build(.binary(op, left, try addition()), at: position)
        }
        return left
    }

    private mutating func addition() throws(RouteMatchSyntaxError) -> RouteMatchNode {
        var left = try multiplication()
        while token.kind == .plus || token.kind == .minus {
            let op: RouteMatchOperator = token.kind == .plus ? .add : .subtract
            let position = token.position
            try advance()
            left = try build(.binary(op, left, try multiplication()), at: position)
        }
        return left
    }

    private mutating func multiplication() throws(RouteMatchSyntaxError) -> RouteMatchNode {
        var left = try unary()
        while let op = multiplicativeOperator() {
            let position = token.position
            try advance()
            left = try build(.binary(op, left, try unary()), at: position)
        }
        return left
    }

    private mutating func unary() throws(RouteMatchSyntaxError) -> RouteMatchNode {
        let position = token.position
        switch token.kind {
        case .bang:
            try advance()
            try enterNesting()
            defer { nesting -= 1 }
            return try build(.not(try unary()), at: position)
        case .minus:
            try advance()
            try enterNesting()
            defer { nesting -= 1 }
            let operand = try unary()
            // Folding keeps `-1` a literal, so it behaves like any other number in lists.
            if case .literal(.number(let text)) = operand.kind {
                let negated = text.hasPrefix("-") ? String(text.dropFirst()) : "-" + text
                return try build(.literal(.number(negated)), at: position)
            }
            return try build(.negate(operand), at: position)
        default:
            return try postfix()
        }
    }

    private mutating func postfix() throws(RouteMatchSyntaxError) -> RouteMatchNode {
        var node = try primary()
        while true {
            switch token.kind {
            case .dot:
                try advance()
                guard case .identifier(let name) = token.kind else {
                    throw error("expected a field name", at: token.position, hint: "found \(token.quoted)")
                }
                let namePosition = token.position
                try advance()
                node = token.kind == .leftParen
                    ? try methodCall(name, on: node, at: namePosition)
                    : try build(.field(node, name: name), at: namePosition)
            case .leftBracket:
                let position = token.position
                try advance()
                let key = try conditional()
                try expect(.rightBracket, "']'", openedAt: position)
                node = try build(.index(node, key: key), at: position)
            default:
                return node
            }
        }
    }

    private mutating func primary() throws(RouteMatchSyntaxError) -> RouteMatchNode {
        let start = token
        switch start.kind {
        case .number(let text):
            try advance()
            return try build(.literal(.number(text)), at: start.position)
        case .string(let text):
            try advance()
            return try build(.literal(.string(text)), at: start.position)
        case .leftParen:
            try advance()
            let inner = try conditional()
            try expect(.rightParen, "')'", openedAt: start.position)
            return inner
        case .leftBracket:
            try advance()
            return try listLiteral(openedAt: start.position)
        case .identifier(let name):
            try advance()
            if token.kind == .leftParen { return try globalCall(name, at: start.position) }
            switch name {
            case "event": return try build(.event, at: start.position)
            case "true": return try build(.literal(.bool(true)), at: start.position)
            case "false": return try build(.literal(.bool(false)), at: start.position)
            case "null": return try build(.literal(.null), at: start.position)
            case "in": throw error("unexpected 'in'", at: start.position, hint: "expected a value")
            default:
                throw error("unknown identifier '\(name)'", at: start.position,
                            hint: "expressions read fields of 'event'")
            }
        default:
            throw error("unexpected \(start.quoted)", at: start.position, hint: "expected a value")
        }
    }

    private mutating func listLiteral(openedAt position: Int) throws(RouteMatchSyntaxError) -> RouteMatchNode {
        var items: [RouteMatchNode] = []
        while token.kind != .rightBracket {
            items.append(try conditional())
            guard token.kind == .comma else { break }
            try advance()
        }
        try expect(.rightBracket, "']'", openedAt: position)
        return try build(.list(items), at: position)
    }

    // MARK: - Shared helpers

    mutating func advance() throws(RouteMatchSyntaxError) {
        token = try lexer.next()
    }

    /// Consumes the expected token; `openedAt` names the bracket it would close.
    mutating func expect(
        _ kind: RouteMatchToken.Kind, _ description: String, openedAt opening: Int? = nil
    ) throws(RouteMatchSyntaxError) {
        guard token.kind == kind else {
            let found = "found \(token.quoted)"
            let hint = opening.map { "\(found); the bracket at column \($0) is still open" } ?? found
            throw error("expected \(description)", at: token.position, hint: hint)
        }
        try advance()
    }

    private mutating func enterNesting() throws(RouteMatchSyntaxError) {
        nesting += 1
        guard nesting <= RouteMatchExpression.maximumNesting else { throw tooDeep(at: token.position) }
    }

    /// Creates a node, refusing trees too tall to evaluate safely; operator chains
    /// grow the tree without recursing in the parser, so nesting alone misses them.
    func build(_ kind: RouteMatchNode.Kind, at position: Int) throws(RouteMatchSyntaxError) -> RouteMatchNode {
        let node = RouteMatchNode(kind, at: position)
        guard node.height <= RouteMatchExpression.maximumNesting else { throw tooDeep(at: position) }
        return node
    }

    private func tooDeep(at position: Int) -> RouteMatchSyntaxError {
        error("expression nests deeper than \(RouteMatchExpression.maximumNesting) levels", at: position)
    }

    func error(_ problem: String, at position: Int, hint: String? = nil) -> RouteMatchSyntaxError {
        RouteMatchSyntaxError(in: source, at: position, problem, hint: hint)
    }

    private func relationOperator() -> RouteMatchOperator? {
        switch token.kind {
        case .equal: .equal
        case .notEqual: .notEqual
        case .less: .less
        case .lessOrEqual: .lessOrEqual
        case .greater: .greater
        case .greaterOrEqual: .greaterOrEqual
        case .identifier("in"): .in
        default: nil
        }
    }

    private func multiplicativeOperator() -> RouteMatchOperator? {
        switch token.kind {
        case .star: .multiply
        case .slash: .divide
        case .percent: .remainder
        default: nil
        }
    }
}
