/// Function and method calls: the only places a name may be followed by `(`.
///
/// Names are checked before the arguments are parsed so that a misspelt function
/// is reported at its own column rather than at some later error inside its call.
extension RouteMatchParser {
    /// `has(…)` and `size(…)`; `token` is the opening parenthesis.
    mutating func globalCall(_ name: String, at position: Int) throws(RouteMatchSyntaxError) -> RouteMatchNode {
        switch name {
        case "has":
            let arguments = try callArguments(of: name, count: 1, at: position)
            // has() is a macro over a field selection, not a function of a value:
            // it must see the path to tell "missing" from "present but null".
            guard case .field(let operand, let field) = arguments[0].kind else {
                throw error("invalid argument to has()", at: arguments[0].position,
                            hint: "it takes a field selection such as has(event.data.price)")
            }
            return try build(.has(operand, name: field), at: position)
        case "size":
            let arguments = try callArguments(of: name, count: 1, at: position)
            return try build(.size(arguments[0]), at: position)
        case _ where RouteMatchStringTest(rawValue: name) != nil:
            throw error("unknown function '\(name)'", at: position,
                        hint: "call it as a method, e.g. event.type.\(name)(\"…\")")
        default:
            throw error("unknown function '\(name)'", at: position)
        }
    }

    /// `receiver.name(…)`; `token` is the opening parenthesis.
    mutating func methodCall(
        _ name: String, on receiver: RouteMatchNode, at position: Int
    ) throws(RouteMatchSyntaxError) -> RouteMatchNode {
        if name == "size" {
            _ = try callArguments(of: name, count: 0, at: position)
            return try build(.size(receiver), at: position)
        }
        guard let test = RouteMatchStringTest(rawValue: name) else {
            throw error("unknown function '\(name)'", at: position)
        }
        let argument = try callArguments(of: name, count: 1, at: position)[0]
        if test == .matches, case .literal(.string(let text)) = argument.kind {
            let pattern: RouteMatchPattern
            do throws(RouteMatchPattern.CompileError) {
                pattern = try RouteMatchPattern(text)
            } catch {
                throw self.error("invalid regular expression", at: argument.position,
                                 hint: "RE2 syntax: \(error.reason)")
            }
            return try build(.matchesPattern(receiver, pattern), at: position)
        }
        return try build(.stringTest(test, receiver, argument: argument), at: position)
    }

    /// Parses `( argument, … )` and insists on exactly `count` arguments.
    private mutating func callArguments(
        of name: String, count: Int, at position: Int
    ) throws(RouteMatchSyntaxError) -> [RouteMatchNode] {
        let opening = token.position
        try advance()
        var arguments: [RouteMatchNode] = []
        if token.kind != .rightParen {
            while true {
                arguments.append(try conditional())
                guard token.kind == .comma else { break }
                try advance()
            }
        }
        try expect(.rightParen, "')'", openedAt: opening)
        guard arguments.count == count else {
            let noun = count == 1 ? "argument" : "arguments"
            throw error("wrong number of arguments to '\(name)'", at: position,
                        hint: "it takes \(count) \(noun), got \(arguments.count)")
        }
        return arguments
    }
}
