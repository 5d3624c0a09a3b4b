/// The texts a cron event carries its times in.
enum CronTimeText {
    /// RFC 3339 in UTC: `2024-05-01T10:00:00Z`, with the fraction of a second only when there
    /// is one (`2024-05-01T10:00:00.25Z`).
    static func rfc3339(_ time: Duration) -> String {
        let (civil, nanoseconds) = split(time)
        let date = "\(CivilTime.pad(civil.year, 4))-\(CivilTime.pad(civil.month, 2))-\(CivilTime.pad(civil.day, 2))"
        let clock = "\(CivilTime.pad(civil.hour, 2)):\(CivilTime.pad(civil.minute, 2)):\(CivilTime.pad(civil.second, 2))"
        return "\(date)T\(clock)\(fraction(nanoseconds))Z"
    }

    /// The way Go prints a UTC time (`time.Time.String`), as Dapr's `readTimeUTC` has it:
    /// `2024-05-01 10:00:00.123456789 +0000 UTC`.
    static func goUTC(_ time: Duration) -> String {
        let (civil, nanoseconds) = split(time)
        return "\(civil)\(fraction(nanoseconds)) +0000 UTC"
    }

    private static func split(_ time: Duration) -> (CivilTime, Int64) {
        let components = time.components
        var seconds = components.seconds
        var nanoseconds = components.attoseconds / 1_000_000_000
        if nanoseconds < 0 {
            seconds -= 1
            nanoseconds += 1_000_000_000
        }
        return (CivilTime(secondsSinceEpoch: seconds), nanoseconds)
    }

    /// `.123`, `.5`, or nothing for a whole second: trailing zeros dropped, as Go does.
    private static func fraction(_ nanoseconds: Int64) -> String {
        guard nanoseconds > 0 else { return "" }
        var digits = Array(CivilTime.pad(Int(nanoseconds), 9))
        while digits.last == "0" { digits.removeLast() }
        return "." + String(digits)
    }
}
