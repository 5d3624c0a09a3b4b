/// A duration written exactly as Go's `time.Duration.String()` writes it (the `duration`
/// response metadata Dapr answers): `294µs`, `1.5ms`, `2.000345s`, `1m0.5s`, `1h2m3s`.
enum GoDurationText {
    static func format(_ duration: Duration) -> String {
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
