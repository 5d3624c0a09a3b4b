/// A size in bytes written as Dapr (and Kubernetes) write resource quantities: a number, optionally
/// with a fraction, then an optional suffix.
///
/// | suffix | factor |
/// |---|---|
/// | none | 1 |
/// | `k`, `M`, `G`, `T`, `P`, `E` | 10³ … 10¹⁸ |
/// | `Ki`, `Mi`, `Gi`, `Ti`, `Pi`, `Ei` | 2¹⁰ … 2⁶⁰ |
/// | `e3`, `E6` … | 10 to that power |
///
/// Suffixes are case-sensitive (`K`, `mi` and the milli suffix `m` are errors). The result must
/// be a whole number of bytes: `1.5Ki` is 1536, `0.5` is an error.
enum ByteSize {
    /// Why a quantity was refused.
    struct ParseError: Error, CustomStringConvertible {
        var description: String
    }

    static func parse(_ text: String) throws(ParseError) -> Int {
        var rest = text.drop(while: { $0 == " " })
        while rest.last == " " { rest = rest.dropLast() }
        guard !rest.isEmpty else { throw ParseError(description: "is empty") }
        var negative = false
        if let sign = rest.first, sign == "-" || sign == "+" {
            negative = sign == "-"
            rest = rest.dropFirst()
        }
        let whole = rest.prefix(while: \.isASCIIDigit)
        rest = rest.dropFirst(whole.count)
        var fraction = Substring("")
        if rest.first == "." {
            rest = rest.dropFirst()
            fraction = rest.prefix(while: \.isASCIIDigit)
            rest = rest.dropFirst(fraction.count)
        }
        guard !whole.isEmpty || !fraction.isEmpty else {
            throw ParseError(description: "'\(text)' is not a quantity such as 100, 10Ki or 1M")
        }
        guard let (base, exponent) = factor(of: rest) else {
            throw ParseError(description: "'\(text)' has an unknown suffix '\(rest)' (use k, M, G, Ki, Mi, Gi …)")
        }
        // value = (whole.fraction) × base^exponent, exactly, as an integer number of bytes.
        var numerator = 0
        for digit in whole + fraction {
            guard let next = multiplyAdd(numerator, 10, Int(digit.asciiValue! - 48)) else { throw tooLarge(text) }
            numerator = next
        }
        var denominator = 1
        for _ in fraction { denominator *= 10 }
        for _ in 0..<exponent {
            guard let next = multiplyAdd(numerator, base, 0) else { throw tooLarge(text) }
            numerator = next
        }
        guard numerator % denominator == 0 else {
            throw ParseError(description: "'\(text)' is not a whole number of bytes")
        }
        let value = numerator / denominator
        return negative ? -value : value
    }

    /// (base, exponent) of a suffix, or nil when it is not one.
    private static func factor(of suffix: Substring) -> (Int, Int)? {
        let decimal: [Substring: Int] = ["": 0, "k": 1, "M": 2, "G": 3, "T": 4, "P": 5, "E": 6]
        let binary: [Substring: Int] = ["Ki": 1, "Mi": 2, "Gi": 3, "Ti": 4, "Pi": 5, "Ei": 6]
        if let power = decimal[suffix] { return (1000, power) }
        if let power = binary[suffix] { return (1024, power) }
        if let marker = suffix.first, marker == "e" || marker == "E", suffix.count > 1,
           let power = Int(suffix.dropFirst()), (0...18).contains(power) {
            return (10, power)
        }
        return nil
    }

    private static func multiplyAdd(_ value: Int, _ factor: Int, _ addend: Int) -> Int? {
        let (product, overflow) = value.multipliedReportingOverflow(by: factor)
        guard !overflow else { return nil }
        let (sum, overflowAdd) = product.addingReportingOverflow(addend)
        return overflowAdd ? nil : sum
    }

    private static func tooLarge(_ text: String) -> ParseError {
        ParseError(description: "'\(text)' is too large")
    }
}

extension Character {
    fileprivate var isASCIIDigit: Bool { isASCII && isNumber }
}
