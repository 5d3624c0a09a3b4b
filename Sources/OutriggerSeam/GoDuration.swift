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

    /// Go-style text for `duration`, e.g. `1m30s`, `250ms`; used in logs and `/v1.0/metadata`.
    public static func format(_ duration: Duration) -> String {
        let total = duration.components.seconds * 1_000_000_000 + duration.components.attoseconds / 1_000_000_000
        if total == 0 { return "0s" }
        if total < 1_000_000_000 {
            if total % 1_000_000 == 0 { return "\(total / 1_000_000)ms" }
            if total >= 1_000_000 { return "\(Double(total / 1_000) / 1_000)ms" }
            if total % 1_000 == 0 { return "\(total / 1_000)us" }
            return "\(total)ns"
        }
        var seconds = Double(total) / 1e9
        var text = ""
        let hours = Int(seconds / 3600)
        if hours > 0 { text += "\(hours)h"; seconds -= Double(hours) * 3600 }
        let minutes = Int(seconds / 60)
        if minutes > 0 { text += "\(minutes)m"; seconds -= Double(minutes) * 60 }
        if seconds > 0 || text.isEmpty {
            let rounded = (seconds * 1000).rounded() / 1000
            text += rounded == rounded.rounded() ? "\(Int(rounded))s" : "\(rounded)s"
        }
        return text
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
