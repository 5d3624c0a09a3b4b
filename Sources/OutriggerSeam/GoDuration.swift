/// Durations written the way Go's `time.ParseDuration` reads them, as Dapr's YAML uses:
/// a sequence of decimal numbers with units `ns`, `us`/`µs`, `ms`, `s`, `m`, `h`
/// (`300ms`, `1.5h`, `2h45m`), optionally signed. `0` alone is zero.
public enum GoDuration {
    /// A malformed duration, with the text that did not parse.
    public struct ParseError: Error, Sendable, CustomStringConvertible {
        public var text: String
        public var description: String { "is not a duration like '500ms' or '1m30s': '\(text)'" }
    }

    /// Parses `text`; throws ``ParseError`` on anything Go would reject.
    public static func parse(_ text: String) throws(ParseError) -> Duration {
        var scalars = Substring(text.trimmingCharacters(in: " ")).unicodeScalars[...]
        guard !scalars.isEmpty else { throw ParseError(text: text) }
        var negative = false
        if let sign = scalars.first, sign == "-" || sign == "+" {
            negative = sign == "-"
            scalars = scalars.dropFirst()
        }
        if String(scalars) == "0" { return .zero }
        guard !scalars.isEmpty else { throw ParseError(text: text) }
        var totalNanoseconds: Double = 0
        while !scalars.isEmpty {
            let number = scalars.prefix(while: { ("0"..."9").contains($0) || $0 == "." })
            guard !number.isEmpty, let value = Double(String(number)) else { throw ParseError(text: text) }
            scalars = scalars.dropFirst(number.count)
            let unit = String(scalars.prefix(while: { !("0"..."9").contains($0) && $0 != "." }))
            scalars = scalars.dropFirst(unit.unicodeScalars.count)
            guard let scale = unitNanoseconds[unit] else { throw ParseError(text: text) }
            totalNanoseconds += value * scale
        }
        let duration = Duration.nanoseconds(Int64(totalNanoseconds.rounded()))
        return negative ? .zero - duration : duration
    }

    private static let unitNanoseconds: [String: Double] = [
        "ns": 1, "us": 1e3, "µs": 1e3, "μs": 1e3, "ms": 1e6, "s": 1e9, "m": 60e9, "h": 3600e9,
    ]

    /// `duration` written exactly as Go's `time.Duration.String()` writes it — `294µs`,
    /// `1.5ms`, `2.000345s`, `1m0.5s`, `1h2m3s` — for logs, `/v1.0/metadata` and response
    /// metadata that Dapr answers in Go's notation.
    public static func format(_ duration: Duration) -> String {
        let (seconds, attoseconds) = duration.components
        let nanoseconds = seconds.multipliedReportingOverflow(by: 1_000_000_000)
        let total = nanoseconds.overflow ? (seconds < 0 ? Int64.min : Int64.max) : nanoseconds.partialValue &+ attoseconds / 1_000_000_000
        let sign = total < 0 ? "-" : ""
        var value = total.magnitude
        if value < 1_000_000_000 {
            switch value {
            case 0: return "0s"
            case ..<1_000: return sign + "\(value)ns"
            case ..<1_000_000:
                let (whole, fraction) = split(value, digits: 3)
                return sign + "\(whole)\(fraction)µs"
            default:
                let (whole, fraction) = split(value, digits: 6)
                return sign + "\(whole)\(fraction)ms"
            }
        }
        let (wholeSeconds, fraction) = split(value, digits: 9)
        value = wholeSeconds
        var text = "\(value % 60)\(fraction)s"
        value /= 60
        if value > 0 {
            text = "\(value % 60)m" + text
            value /= 60
            if value > 0 { text = "\(value)h" + text }
        }
        return sign + text
    }

    /// `value` without its last `digits` digits, and those digits as `.ddd` without trailing
    /// zeros (empty when all are zero), as Go's `fmtFrac`.
    private static func split(_ value: UInt64, digits: Int) -> (UInt64, String) {
        var value = value
        var fraction = ""
        for _ in 0..<digits {
            let digit = value % 10
            if !fraction.isEmpty || digit != 0 { fraction = String(digit) + fraction }
            value /= 10
        }
        return (value, fraction.isEmpty ? "" : "." + fraction)
    }
}

extension String {
    /// `self` without leading and trailing `character`s (no Foundation needed).
    package func trimmingCharacters(in character: Character) -> Substring {
        var slice = self[...]
        while slice.first == character { slice = slice.dropFirst() }
        while slice.last == character { slice = slice.dropLast() }
        return slice
    }
}
