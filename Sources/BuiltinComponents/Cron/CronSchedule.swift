import OutriggerCore

/// A cron schedule as Dapr's `bindings.cron` reads its `schedule` metadata, and the computation
/// of the next time it fires. A pure value: no clock is read; times are Unix times (the duration
/// since 1970-01-01T00:00:00Z).
///
/// Accepted forms:
/// - 5 fields `minute hour day-of-month month day-of-week` (`*/15 * * * *`, second 0);
/// - 6 fields with seconds first (`*/5 * * * * *`);
/// - macros `@yearly`/`@annually`, `@monthly`, `@weekly`, `@daily`/`@midnight`, `@hourly`;
/// - `@every <Go duration>` (`@every 1m30s`): fires that long after the previous firing;
/// - any of these after `CRON_TZ=<IANA zone> ` or `TZ=<IANA zone> `.
///
/// A field is a comma-separated list of `*`, `?` (same as `*`), `n`, `a-b`, `*/n`, `a/n`
/// (`a` to the end, every `n`) and `a-b/n`; months and weekdays also take names (`JAN`-`DEC`,
/// `SUN`-`SAT`, any case); weekday 7 is Sunday too. When both day fields are restricted a day
/// matches if either does (standard cron); when one is `*` or `?`, both must.
///
/// ```swift
/// let schedule = try CronSchedule(parsing: "0 30 9 * * MON-FRI", localTimeZone: .utc)
/// let next = schedule.next(after: .seconds(1_700_000_000))  // the next weekday 09:30:00 UTC
/// ```
public struct CronSchedule: Sendable, CustomStringConvertible {
    /// What the schedule fires on.
    public enum Rule: Sendable, Hashable {
        /// Calendar fields, read in the schedule's time zone.
        case calendar(CronFields)
        /// A fixed interval after the previous firing (`@every`).
        case every(Duration)
    }

    /// The text it was parsed from.
    public let text: String
    /// When it fires.
    public let rule: Rule
    /// The zone the calendar fields are read in.
    public let timeZone: CronTimeZone
    /// Whether a `CRON_TZ=`/`TZ=` prefix chose the zone (otherwise it is the process's own).
    public let hasExplicitTimeZone: Bool

    /// Parses `text`; `localTimeZone` is the zone used when the text has no `CRON_TZ=` prefix.
    public init(parsing text: String, localTimeZone: CronTimeZone = .local) throws(CronScheduleError) {
        self.text = text
        var spec = Substring(text).drop(while: \.isWhitespace)
        while spec.last?.isWhitespace == true { spec = spec.dropLast() }
        guard !spec.isEmpty else { throw .empty }

        var zone = localTimeZone
        var explicit = false
        for prefix in ["CRON_TZ=", "TZ="] where spec.hasPrefix(prefix) {
            let rest = spec.dropFirst(prefix.count)
            let name = rest.prefix(while: { !$0.isWhitespace })
            guard !name.isEmpty else { throw .timeZone("", reason: "the prefix names no zone") }
            guard let named = CronTimeZone(identifier: String(name)) else {
                throw .timeZone(String(name), reason: "is not a known IANA time zone such as Europe/Berlin")
            }
            spec = rest.dropFirst(name.count).drop(while: \.isWhitespace)
            guard !spec.isEmpty else { throw .timeZone(String(name), reason: "is followed by no schedule") }
            zone = named
            explicit = true
            break
        }
        self.timeZone = zone
        self.hasExplicitTimeZone = explicit
        self.rule = spec.hasPrefix("@") ? try Self.macro(spec) : .calendar(try CronFields(parsing: spec))
    }

    private static func macro(_ spec: Substring) throws(CronScheduleError) -> Rule {
        if spec.hasPrefix("@every"), spec.dropFirst("@every".count).first?.isWhitespace == true {
            let text = String(spec.dropFirst("@every".count).drop(while: \.isWhitespace))
            let interval: Duration
            do {
                interval = try GoDuration.parse(text)
            } catch {
                throw .interval(text, reason: "is not a duration like 90s, 15m or 1h30m")
            }
            guard interval > .zero else { throw .interval(text, reason: "must be longer than zero") }
            return .every(interval)
        }
        let fields: CronFields? = switch spec {
        case "@yearly", "@annually": CronFields(second: [0], minute: [0], hour: [0], dayOfMonth: [1], month: [1])
        case "@monthly": CronFields(second: [0], minute: [0], hour: [0], dayOfMonth: [1])
        case "@weekly": CronFields(second: [0], minute: [0], hour: [0], dayOfWeek: [0])
        case "@daily", "@midnight": CronFields(second: [0], minute: [0], hour: [0])
        case "@hourly": CronFields(second: [0], minute: [0])
        default: nil
        }
        guard let fields else { throw .unknownMacro(String(spec)) }
        return .calendar(fields)
    }

    /// The first time strictly after `time` (a Unix time) at which the schedule fires; `nil`
    /// when it does not fire in the next years (impossible once parsing succeeded, except for
    /// dates past the year 9990).
    ///
    /// Calendar schedules fire on whole seconds whose wall-clock reading in ``timeZone``
    /// matches every field. Where daylight saving time moves the clock, a reading the clock
    /// skips never fires and a reading it repeats fires twice, as with Dapr.
    public func next(after time: Duration) -> Duration? {
        switch rule {
        case .every(let interval):
            return time + interval
        case .calendar(let fields):
            guard let seconds = fields.next(atOrAfter: time.components.seconds + 1, in: timeZone) else { return nil }
            return .seconds(seconds)
        }
    }

    /// The text it was parsed from.
    public var description: String { text }
}
