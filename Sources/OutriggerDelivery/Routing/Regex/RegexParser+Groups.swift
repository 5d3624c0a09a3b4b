/// Groups: `(re)`, `(?:re)`, `(?P<name>re)`, `(?<name>re)`, `(?flags)`, `(?flags:re)`.
///
/// Lookarounds, backreferences by name, comments and atomic groups are refused, as RE2
/// refuses them.
extension RegexParser {
    /// Opens a group whose `(` is at `start`, or applies a flag group such as `(?i)`.
    mutating func openGroup(at start: Int) throws(LinearRegex.SyntaxError) {
        var innerFlags = flags
        if peek() == "?" {
            index += 1
            switch peek() {
            case ":":
                index += 1
            case "P":
                index += 1
                switch peek() {
                case "<":
                    index += 1
                    try readGroupName(from: start)
                case "=", ">":
                    throw error("named backreferences and recursion (?P=name) are not supported", at: start)
                default:
                    throw error("invalid named capture group", at: start)
                }
            case "<":
                index += 1
                if peek() == "=" || peek() == "!" {
                    throw error("lookbehind assertions (?<= and (?<! are not supported", at: start)
                }
                try readGroupName(from: start)
            case "=", "!":
                throw error("lookahead assertions (?= and (?! are not supported", at: start)
            default:
                let (parsed, isScoped) = try readFlags(from: start)
                guard isScoped else {
                    // `(?i)` changes the flags until the end of the enclosing group.
                    flags = parsed
                    frame.clearOperand()
                    return
                }
                innerFlags = parsed
            }
        }
        guard enclosing.count < LinearRegex.maximumNesting else {
            throw error("expression nests too deeply: more than \(LinearRegex.maximumNesting) groups", at: start)
        }
        let inner = RegexParseFrame(outerFlags: flags, openingOffset: start, enclosingSize: frame.totalSize)
        enclosing.append(frame)
        frame = inner
        flags = innerFlags
    }

    /// Closes the innermost group at the `)` at `start`; its code becomes one atom of the
    /// enclosing branch.
    mutating func closeGroup(at start: Int) throws(LinearRegex.SyntaxError) {
        guard let outer = enclosing.popLast() else {
            throw error("unexpected ): no group is open", at: start)
        }
        let code = frame.code()
        flags = frame.outerFlags
        frame = outer
        try appendAtom(code, at: start)
    }

    /// Reads `name>` of a named group that started at `start`.
    private mutating func readGroupName(from start: Int) throws(LinearRegex.SyntaxError) {
        let nameStart = index
        while let scalar = peek(), scalar != ">" {
            guard RegexScalarSet.isASCIIWord(scalar) || scalar.properties.isAlphabetic else {
                throw error("invalid named capture group: names are letters, digits and _", at: start)
            }
            index += 1
        }
        guard peek() == ">", index > nameStart else {
            throw error("invalid named capture group", at: start)
        }
        let name = String(String.UnicodeScalarView(scalars[nameStart..<index]))
        index += 1
        guard groupNames.insert(name).inserted else {
            throw error("duplicate capture group name \(name)", at: start)
        }
    }

    /// Reads the flags of `(?flags)` or `(?flags:` after the `(?` at `start`, up to and
    /// including the `)` or `:`.
    private mutating func readFlags(
        from start: Int
    ) throws(LinearRegex.SyntaxError) -> (flags: RegexFlags, isScoped: Bool) {
        var parsed = flags
        var isClearing = false
        var hasFlagSinceSign = false
        while let scalar = peek() {
            index += 1
            switch scalar {
            case "-" where !isClearing:
                isClearing = true
                hasFlagSinceSign = false
            case ":" where hasFlagSinceSign, ")" where hasFlagSinceSign:
                return (parsed, scalar == ":")
            default:
                guard parsed.set(scalar, to: !isClearing) else {
                    throw error("invalid or unsupported Perl syntax \(text(from: start))", at: start)
                }
                hasFlagSinceSign = true
            }
        }
        throw error("missing ): flag group is never closed", at: start)
    }

    /// The next scalar to read, if any.
    func peek(_ ahead: Int = 0) -> Unicode.Scalar? {
        index + ahead < scalars.count ? scalars[index + ahead] : nil
    }
}
