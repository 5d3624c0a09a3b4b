/// Go string literals, read as Go's `strconv.Unquote` reads them. Several of Dapr's bindings
/// (local storage, SMTP) unquote their request data when it is one literal, because daprd's
/// HTTP API used to hand a JSON string on with its quotes; Outrigger's bindings do the same so
/// clients written for daprd see the same result.
public enum GoStringLiteral {
    /// The bytes `literal` stands for, or `nil` when it is not exactly one Go literal: a
    /// double-quoted string with Go escapes, a back-quoted raw string, or a single-quoted
    /// character.
    public static func unquote(_ literal: [UInt8]) -> [UInt8]? {
        guard literal.count >= 2, let quote = literal.first, literal.last == quote else { return nil }
        let body = literal[1..<(literal.count - 1)]
        switch quote {
        case UInt8(ascii: "`"):
            guard !body.contains(UInt8(ascii: "`")) else { return nil }
            return body.filter { $0 != UInt8(ascii: "\r") }
        case UInt8(ascii: "\""), UInt8(ascii: "'"):
            guard String(validating: body, as: UTF8.self) != nil else { return nil }
            var output: [UInt8] = []
            var rest = body[...]
            var characters = 0
            while let first = rest.first {
                guard first != quote, first != UInt8(ascii: "\n") else { return nil }
                if first == UInt8(ascii: "\\") {
                    guard let (bytes, remainder) = escape(rest.dropFirst(), quote: quote) else { return nil }
                    output += bytes
                    rest = remainder
                } else {
                    let length = scalarLength(first)
                    output += rest.prefix(length)
                    rest = rest.dropFirst(length)
                }
                characters += 1
            }
            if quote == UInt8(ascii: "'") && characters != 1 { return nil }
            return output
        default:
            return nil
        }
    }

    /// One escape after its backslash: the bytes it stands for and what follows it.
    private static func escape(_ text: ArraySlice<UInt8>, quote: UInt8) -> ([UInt8], ArraySlice<UInt8>)? {
        guard let letter = text.first else { return nil }
        let rest = text.dropFirst()
        switch letter {
        case UInt8(ascii: "a"): return ([0x07], rest)
        case UInt8(ascii: "b"): return ([0x08], rest)
        case UInt8(ascii: "f"): return ([0x0C], rest)
        case UInt8(ascii: "n"): return ([0x0A], rest)
        case UInt8(ascii: "r"): return ([0x0D], rest)
        case UInt8(ascii: "t"): return ([0x09], rest)
        case UInt8(ascii: "v"): return ([0x0B], rest)
        case UInt8(ascii: "\\"): return ([letter], rest)
        case UInt8(ascii: "'"), UInt8(ascii: "\""):
            // Each literal may escape only its own quote.
            return letter == quote ? ([letter], rest) : nil
        case UInt8(ascii: "x"):
            guard let value = number(rest.prefix(2), radix: 16, digits: 2) else { return nil }
            return ([UInt8(value)], rest.dropFirst(2))
        case UInt8(ascii: "0")...UInt8(ascii: "7"):
            guard let value = number(text.prefix(3), radix: 8, digits: 3), value <= 255 else { return nil }
            return ([UInt8(value)], text.dropFirst(3))
        case UInt8(ascii: "u"), UInt8(ascii: "U"):
            let digits = letter == UInt8(ascii: "u") ? 4 : 8
            guard let value = number(rest.prefix(digits), radix: 16, digits: digits),
                  let scalar = Unicode.Scalar(UInt32(value)) else { return nil }
            return (Array(String(Character(scalar)).utf8), rest.dropFirst(digits))
        default:
            return nil
        }
    }

    private static func number(_ digits: ArraySlice<UInt8>, radix: Int, digits count: Int) -> Int? {
        guard digits.count == count else { return nil }
        return Int(String(decoding: digits, as: UTF8.self), radix: radix)
    }

    /// The length of the UTF-8 sequence that starts with `lead` (the text is valid UTF-8).
    private static func scalarLength(_ lead: UInt8) -> Int {
        switch lead {
        case 0xF0...: 4
        case 0xE0...: 3
        case 0xC0...: 2
        default: 1
        }
    }
}
