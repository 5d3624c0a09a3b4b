/// Splits a `match` expression into tokens on demand.
///
/// The parser pulls one token at a time, so the first error reported is the
/// leftmost one in the text rather than whichever the lexer reached first.
struct RouteMatchLexer {
    private let expression: String
    private let scalars: [Unicode.Scalar]
    private var index = 0

    init(_ expression: String) {
        self.expression = expression
        self.scalars = Array(expression.unicodeScalars)
    }

    /// Reads the next token, or `.end` once the text is used up.
    mutating func next() throws(RouteMatchSyntaxError) -> RouteMatchToken {
        skipWhitespaceAndComments()
        let start = index
        guard let scalar = peek() else {
            return RouteMatchToken(kind: .end, position: start + 1, text: "")
        }
        if scalar.isDigit { return try number() }
        if scalar == "\"" || scalar == "'" { return try string(raw: false) }
        if scalar.isIdentifierStart {
            if (scalar == "r" || scalar == "R"), let quote = peek(offset: 1), quote == "\"" || quote == "'" {
                index += 1
                return try string(raw: true)
            }
            return identifier()
        }
        return try symbol()
    }

    // MARK: - Token kinds

    private mutating func identifier() -> RouteMatchToken {
        let start = index
        while let scalar = peek(), scalar.isIdentifierStart || scalar.isDigit { index += 1 }
        let name = text(from: start)
        return RouteMatchToken(kind: .identifier(name), position: start + 1, text: name)
    }

    private mutating func number() throws(RouteMatchSyntaxError) -> RouteMatchToken {
        let start = index
        if peek() == "0", let x = peek(offset: 1), x == "x" || x == "X" {
            return try hexadecimalNumber()
        }
        skipDigits()
        // A dot only belongs to the number when a digit follows, so `1.size()`
        // still lexes as a number and a method call.
        if peek() == ".", peek(offset: 1)?.isDigit == true {
            index += 1
            skipDigits()
        }
        if let e = peek(), e == "e" || e == "E" {
            index += 1
            if let sign = peek(), sign == "+" || sign == "-" { index += 1 }
            guard peek()?.isDigit == true else { throw invalidNumber(from: start) }
            skipDigits()
        }
        let literal = text(from: start)
        // CEL's unsigned suffix changes nothing here: JSON has one number type.
        if let u = peek(), u == "u" || u == "U" { index += 1 }
        if peek()?.isIdentifierStart == true || peek()?.isDigit == true { throw invalidNumber(from: start) }
        return RouteMatchToken(kind: .number(literal), position: start + 1, text: text(from: start))
    }

    private mutating func hexadecimalNumber() throws(RouteMatchSyntaxError) -> RouteMatchToken {
        let start = index
        index += 2
        let digitsStart = index
        while let scalar = peek(), scalar.isHexDigit { index += 1 }
        let digits = text(from: digitsStart)
        if let u = peek(), u == "u" || u == "U" { index += 1 }
        guard !digits.isEmpty, peek()?.isIdentifierStart != true, let value = UInt64(digits, radix: 16) else {
            throw invalidNumber(from: start)
        }
        return RouteMatchToken(kind: .number(String(value)), position: start + 1, text: text(from: start))
    }

    private mutating func string(raw: Bool) throws(RouteMatchSyntaxError) -> RouteMatchToken {
        let tokenStart = raw ? index - 1 : index
        let quote = scalars[index]
        index += 1
        var value = String.UnicodeScalarView()
        while true {
            guard let scalar = peek(), scalar != "\n", scalar != "\r" else {
                throw RouteMatchSyntaxError(in: expression, at: tokenStart + 1, "unterminated string starting")
            }
            index += 1
            if scalar == quote { break }
            if scalar == "\\" && !raw {
                value.append(try escape(backslashAt: index - 1, stringStart: tokenStart))
            } else {
                value.append(scalar)
            }
        }
        return RouteMatchToken(kind: .string(String(value)), position: tokenStart + 1, text: text(from: tokenStart))
    }

    /// Decodes the escape whose backslash is at `start`; `index` is just past it.
    private mutating func escape(backslashAt start: Int, stringStart: Int) throws(RouteMatchSyntaxError) -> Unicode.Scalar {
        guard let letter = peek(), letter != "\n", letter != "\r" else {
            throw RouteMatchSyntaxError(in: expression, at: stringStart + 1, "unterminated string starting")
        }
        index += 1
        switch letter {
        case "\\", "\"", "'", "`", "?": return letter
        case "n": return "\n"
        case "t": return "\t"
        case "r": return "\r"
        case "a": return "\u{07}"
        case "b": return "\u{08}"
        case "f": return "\u{0C}"
        case "v": return "\u{0B}"
        case "x": return try hexEscape(digits: 2, backslashAt: start)
        case "u": return try hexEscape(digits: 4, backslashAt: start)
        case "U": return try hexEscape(digits: 8, backslashAt: start)
        default:
            throw RouteMatchSyntaxError(
                in: expression, at: start + 1, "invalid escape '\\\(letter)'",
                hint: "write '\\\\' for a backslash, or use a raw string such as r\"\\d+\"")
        }
    }

    private mutating func hexEscape(digits: Int, backslashAt start: Int) throws(RouteMatchSyntaxError) -> Unicode.Scalar {
        let end = min(index + digits, scalars.count)
        let hex = String(String.UnicodeScalarView(scalars[index..<end]))
        guard hex.unicodeScalars.count == digits, hex.unicodeScalars.allSatisfy(\.isHexDigit),
              let code = UInt32(hex, radix: 16), let scalar = Unicode.Scalar(code)
        else {
            throw RouteMatchSyntaxError(in: expression, at: start + 1, "invalid escape '\(text(from: start, to: end))'")
        }
        index = end
        return scalar
    }

    private mutating func symbol() throws(RouteMatchSyntaxError) -> RouteMatchToken {
        let start = index
        let scalar = scalars[index]
        index += 1
        let kind: RouteMatchToken.Kind
        switch scalar {
        case "(": kind = .leftParen
        case ")": kind = .rightParen
        case "[": kind = .leftBracket
        case "]": kind = .rightBracket
        case ".": kind = .dot
        case ",": kind = .comma
        case "?": kind = .question
        case ":": kind = .colon
        case "+": kind = .plus
        case "-": kind = .minus
        case "*": kind = .star
        case "/": kind = .slash
        case "%": kind = .percent
        case "!": kind = consume("=") ? .notEqual : .bang
        case "<": kind = consume("=") ? .lessOrEqual : .less
        case ">": kind = consume("=") ? .greaterOrEqual : .greater
        case "=" where consume("="): kind = .equal
        case "&" where consume("&"): kind = .and
        case "|" where consume("|"): kind = .or
        case "=", "&", "|":
            throw RouteMatchSyntaxError(
                in: expression, at: start + 1, "unexpected '\(scalar)'", hint: "did you mean '\(scalar)\(scalar)'?")
        default:
            throw RouteMatchSyntaxError(in: expression, at: start + 1, "unexpected character '\(scalar)'")
        }
        return RouteMatchToken(kind: kind, position: start + 1, text: text(from: start))
    }

    // MARK: - Scanning helpers

    private mutating func skipWhitespaceAndComments() {
        while let scalar = peek() {
            if scalar == " " || scalar == "\t" || scalar == "\n" || scalar == "\r" {
                index += 1
            } else if scalar == "/", peek(offset: 1) == "/" {
                while let next = peek(), next != "\n" { index += 1 }
            } else {
                return
            }
        }
    }

    private mutating func skipDigits() {
        while peek()?.isDigit == true { index += 1 }
    }

    private mutating func consume(_ expected: Unicode.Scalar) -> Bool {
        guard peek() == expected else { return false }
        index += 1
        return true
    }

    private func peek(offset: Int = 0) -> Unicode.Scalar? {
        index + offset < scalars.count ? scalars[index + offset] : nil
    }

    private func text(from start: Int, to end: Int? = nil) -> String {
        String(String.UnicodeScalarView(scalars[start..<(end ?? index)]))
    }

    private func invalidNumber(from start: Int) -> RouteMatchSyntaxError {
        var end = index
        while end < scalars.count, scalars[end].isIdentifierStart || scalars[end].isDigit { end += 1 }
        return RouteMatchSyntaxError(in: expression, at: start + 1, "invalid number '\(text(from: start, to: end))'")
    }
}

extension Unicode.Scalar {
    fileprivate var isDigit: Bool { ("0"..."9").contains(self) }
    fileprivate var isHexDigit: Bool { isDigit || ("a"..."f").contains(self) || ("A"..."F").contains(self) }
    fileprivate var isIdentifierStart: Bool { ("a"..."z").contains(self) || ("A"..."Z").contains(self) || self == "_" }
}
