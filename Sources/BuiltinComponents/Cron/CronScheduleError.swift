/// Why a cron schedule text was refused; the description names the part that is wrong.
public enum CronScheduleError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The text is empty.
    case empty
    /// Neither 5 nor 6 whitespace-separated fields.
    case fieldCount(Int)
    /// One field is malformed: which, its text and what is wrong with it.
    case field(CronField.Kind, text: String, reason: String)
    /// An `@` word that is not one of the macros.
    case unknownMacro(String)
    /// `@every` with a duration that is malformed or not positive.
    case interval(String, reason: String)
    /// A `CRON_TZ=`/`TZ=` prefix naming no known time zone, or with nothing after it.
    case timeZone(String, reason: String)
    /// The fields can never all match (`0 0 30 2 *`: there is no 30 February).
    case neverFires(String)

    /// What is wrong, naming the field; start-up errors say it after the schedule's text.
    public var description: String {
        switch self {
        case .empty:
            "is empty"
        case .fieldCount(let count):
            "has \(count) field\(count == 1 ? "" : "s"); expected 5 (minute hour day-of-month month day-of-week) or 6 (with seconds first), or a macro like @daily or @every 1m"
        case .field(let kind, let text, let reason):
            "\(kind.rawValue) field '\(text)': \(reason)"
        case .unknownMacro(let macro):
            "'\(macro)' is not one of @yearly, @annually, @monthly, @weekly, @daily, @midnight, @hourly, @every <duration>"
        case .interval(let text, let reason):
            "@every '\(text)': \(reason)"
        case .timeZone(let name, let reason):
            "time zone '\(name)': \(reason)"
        case .neverFires(let reason):
            "never fires: \(reason)"
        }
    }
}
