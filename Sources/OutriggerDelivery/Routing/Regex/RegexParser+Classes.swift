/// Bracketed classes: `[abc]`, `[^a-z]`, `[\d_]`, `[[:alpha:]]`, `[[:^space:]\pL]`.
///
/// As in RE2, a `]` right after `[` or `[^` is literal, and so is a `-` that cannot form a
/// range.
extension RegexParser {
    /// Reads a class whose `[` is at `start` and returns its index in `scalarSets`.
    mutating func parseClass(from start: Int) throws(LinearRegex.SyntaxError) -> Int {
        var set = RegexScalarSet(ignoresCase: flags.ignoresCase)
        if peek() == "^" {
            set.isNegated = true
            index += 1
        }
        var isFirst = true
        while true {
            guard let scalar = peek() else {
                throw error("missing closing ]: character class is never closed", at: start)
            }
            if scalar == "]", !isFirst {
                index += 1
                break
            }
            isFirst = false
            if scalar == "[", peek(1) == ":", let member = try readPOSIXClass() {
                set.insert(member)
                continue
            }
            let itemStart = index
            let lower: Unicode.Scalar
            switch try readClassItem() {
            case .member(let member):
                set.insert(member)
                continue
            case .scalar(let scalar):
                lower = scalar
            }
            guard peek() == "-", let after = peek(1), after != "]" else {
                set.insert(lower, through: lower)
                continue
            }
            index += 1
            guard case .scalar(let upper) = try readClassItem(), lower <= upper else {
                throw error("invalid character class range \(text(from: itemStart))", at: itemStart)
            }
            set.insert(lower, through: upper)
        }
        scalarSets.append(set)
        return scalarSets.count - 1
    }

    /// Reads one scalar or escape inside brackets.
    private mutating func readClassItem() throws(LinearRegex.SyntaxError) -> ClassEscape {
        let start = index
        let scalar = scalars[index]
        index += 1
        guard scalar == "\\" else { return .scalar(scalar) }
        return try parseClassEscape(from: start)
    }

    /// Reads `[:name:]` or `[:^name:]` at `index`; `nil` (reading nothing) if the text does
    /// not have that form, so the `[` is an ordinary scalar.
    private mutating func readPOSIXClass() throws(LinearRegex.SyntaxError) -> RegexScalarSet.Member? {
        let start = index
        var cursor = index + 2
        let isNegated = cursor < scalars.count && scalars[cursor] == "^"
        if isNegated { cursor += 1 }
        let nameStart = cursor
        while cursor < scalars.count, ("a"..."z").contains(scalars[cursor]) { cursor += 1 }
        guard cursor + 1 < scalars.count, scalars[cursor] == ":", scalars[cursor + 1] == "]" else {
            return nil
        }
        let name = String(String.UnicodeScalarView(scalars[nameStart..<cursor]))
        index = cursor + 2
        guard let member = RegexScalarSet.posixClass(name, isNegated: isNegated) else {
            throw error("invalid character class range \(text(from: start)): unknown POSIX class", at: start)
        }
        return member
    }
}
