/// Reads an RE2 pattern left to right and compiles it straight to a ``RegexProgram``.
///
/// Each atom is compiled as soon as it is read and each quantifier rewrites the code of
/// the atom before it, so there is no syntax tree to walk. Open groups live on an explicit
/// stack of ``RegexParseFrame``s, which keeps nesting off the call stack; the total code
/// held is checked against ``LinearRegex/maximumProgramSize`` before it is built, which
/// bounds compile time and memory for any pattern.
struct RegexParser {
    /// The pattern's scalars; offsets in errors index this array.
    let scalars: [Unicode.Scalar]
    /// The next scalar to read.
    var index = 0
    /// The flags in force at `index`.
    var flags = RegexFlags()
    /// The innermost open group (the whole pattern at top level).
    var frame = RegexParseFrame(outerFlags: RegexFlags(), openingOffset: 0, enclosingSize: 0)
    /// The groups around `frame`, outermost first.
    var enclosing: [RegexParseFrame] = []
    /// The character classes read so far, referred to by `.scalarSet`.
    var scalarSets: [RegexScalarSet] = []
    /// Capture group names seen so far, to refuse duplicates as RE2 does.
    var groupNames: Set<String> = []

    /// A parser for `pattern`.
    init(_ pattern: String) {
        scalars = Array(pattern.unicodeScalars)
    }

    /// Compiles the whole pattern, or throws the leftmost problem.
    mutating func parse() throws(LinearRegex.SyntaxError) -> RegexProgram {
        while index < scalars.count {
            try parseNext()
        }
        if !enclosing.isEmpty {
            throw error("missing ): group opened here is never closed", at: frame.openingOffset)
        }
        var code = frame.code()
        code.append(.match)
        return RegexProgram(instructions: code, scalarSets: scalarSets)
    }

    private mutating func parseNext() throws(LinearRegex.SyntaxError) {
        let start = index
        let scalar = scalars[index]
        index += 1
        switch scalar {
        case "(": try openGroup(at: start)
        case ")": try closeGroup(at: start)
        case "|":
            try checkSize(frame.totalSize + 2, at: start)
            frame.finishBranch()
        case "*": try repeatOperand(minimum: 0, maximum: nil, from: start)
        case "+": try repeatOperand(minimum: 1, maximum: nil, from: start)
        case "?": try repeatOperand(minimum: 0, maximum: 1, from: start)
        case "{":
            // A `{` that does not start `{n}`, `{n,}` or `{n,m}` is a literal, as in RE2.
            if let bounds = try parseRepetitionBounds(from: start) {
                try repeatOperand(minimum: bounds.minimum, maximum: bounds.maximum, from: start)
            } else {
                try appendLiteral(scalar, at: start)
            }
        case "[":
            let set = try parseClass(from: start)
            try appendAtom([.scalarSet(set)], at: start)
        case ".":
            try appendAtom([flags.dotMatchesNewline ? .anyScalar : .anyScalarButNewline], at: start)
        case "^":
            try appendAtom([.assertion(flags.isMultiline ? .beginningOfLine : .beginningOfText)], at: start)
        case "$":
            try appendAtom([.assertion(flags.isMultiline ? .endOfLine : .endOfText)], at: start)
        case "\\":
            try parseEscape(from: start)
        default:
            try appendLiteral(scalar, at: start)
        }
    }

    /// Appends one atom's code to the current branch, refusing it if the pattern would
    /// grow past the size limit.
    mutating func appendAtom(_ code: [RegexInstruction], at offset: Int) throws(LinearRegex.SyntaxError) {
        try checkSize(frame.totalSize + code.count, at: offset)
        frame.append(atom: code)
    }

    /// Appends a literal scalar, compared by case fold under the `i` flag.
    mutating func appendLiteral(_ scalar: Unicode.Scalar, at offset: Int) throws(LinearRegex.SyntaxError) {
        if flags.ignoresCase, scalar.regexHasCaseVariants {
            try appendAtom([.foldedScalar(scalar.regexCaseFolded)], at: offset)
        } else {
            try appendAtom([.scalar(scalar)], at: offset)
        }
    }

    /// Applies a quantifier that starts at `start` (and ends at `index`, before any lazy
    /// `?`) to the last atom.
    private mutating func repeatOperand(
        minimum: Int, maximum: Int?, from start: Int
    ) throws(LinearRegex.SyntaxError) {
        // Lazy quantifiers find the same matches, so `?` after one changes nothing here.
        if index < scalars.count, scalars[index] == "?" { index += 1 }
        let written = text(from: start)
        guard frame.hasOperand else {
            throw error("missing argument to repetition operator \(written)", at: start)
        }
        guard !frame.isLastAtomRepeated else {
            throw error("bad repetition operator \(written): a quantifier cannot follow another", at: start)
        }
        let operand = Array(frame.operand)
        let size = RegexCode.repetitionSize(of: operand.count, minimum: minimum, maximum: maximum)
        try checkSize(frame.totalSize - operand.count + size, at: start)
        frame.replaceOperand(with: RegexCode.repetition(of: operand, minimum: minimum, maximum: maximum))
    }

    /// Reads `n}`, `n,}` or `n,m}` after a `{` at `start`; `nil` (reading nothing) if the
    /// text does not have that form.
    private mutating func parseRepetitionBounds(
        from start: Int
    ) throws(LinearRegex.SyntaxError) -> (minimum: Int, maximum: Int?)? {
        var cursor = index
        guard let minimum = readNumber(at: &cursor) else { return nil }
        var maximum: Int? = minimum
        if cursor < scalars.count, scalars[cursor] == "," {
            cursor += 1
            maximum = readNumber(at: &cursor)
        }
        guard cursor < scalars.count, scalars[cursor] == "}" else { return nil }
        index = cursor + 1
        let written = text(from: start)
        let limit = LinearRegex.maximumRepetition
        guard minimum <= limit, (maximum ?? 0) <= limit else {
            throw error("bad repetition operator \(written): counts are limited to \(limit)", at: start)
        }
        if let maximum, maximum < minimum {
            throw error("bad repetition operator \(written): maximum is less than minimum", at: start)
        }
        return (minimum, maximum)
    }

    /// Reads decimal digits at `cursor`, saturating far above any allowed count.
    private func readNumber(at cursor: inout Int) -> Int? {
        var value: Int?
        while cursor < scalars.count, ("0"..."9").contains(scalars[cursor]) {
            let digit = Int(scalars[cursor].value) - 0x30
            value = min((value ?? 0) * 10 + digit, 1_000_000)
            cursor += 1
        }
        return value
    }

    private func checkSize(_ size: Int, at offset: Int) throws(LinearRegex.SyntaxError) {
        // One instruction is kept for the final `.match`.
        guard size < LinearRegex.maximumProgramSize else {
            throw error(
                "pattern too large: it compiles to more than \(LinearRegex.maximumProgramSize) instructions",
                at: offset)
        }
    }

    /// The pattern's text from `start` up to the next scalar to read.
    func text(from start: Int) -> String {
        String(String.UnicodeScalarView(scalars[start..<index]))
    }

    /// An error at `offset` of the pattern.
    func error(_ reason: String, at offset: Int) -> LinearRegex.SyntaxError {
        LinearRegex.SyntaxError(reason: reason, offset: offset)
    }
}
