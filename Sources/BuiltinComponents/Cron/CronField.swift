/// The values one cron field allows (seconds, minutes, hours, day of month, month or day of
/// week), parsed from its text: `*`, `?`, `5`, `1,15`, `9-17`, `*/10`, `10-50/20`, `MON-FRI`.
public struct CronField: Sendable, Hashable {
    /// Which field this is: its name in errors, its bounds and the names it accepts.
    public enum Kind: String, Sendable, CaseIterable {
        /// The optional first field, 0-59.
        case second
        /// 0-59
        case minute
        /// 0-23
        case hour
        /// 1-31
        case dayOfMonth = "day of month"
        /// 1-12 or JAN-DEC
        case month
        /// 0-7 (0 and 7 are Sunday) or SUN-SAT
        case dayOfWeek = "day of week"

        var bounds: ClosedRange<Int> {
            switch self {
            case .second, .minute: 0...59
            case .hour: 0...23
            case .dayOfMonth: 1...31
            case .month: 1...12
            // 7 is accepted as a second Sunday and folded onto 0.
            case .dayOfWeek: 0...7
            }
        }

        /// The range `*` stands for.
        var everyValue: ClosedRange<Int> { self == .dayOfWeek ? 0...6 : bounds }

        var names: [String: Int] {
            switch self {
            case .month:
                ["jan": 1, "feb": 2, "mar": 3, "apr": 4, "may": 5, "jun": 6,
                 "jul": 7, "aug": 8, "sep": 9, "oct": 10, "nov": 11, "dec": 12]
            case .dayOfWeek:
                ["sun": 0, "mon": 1, "tue": 2, "wed": 3, "thu": 4, "fri": 5, "sat": 6]
            default:
                [:]
            }
        }
    }

    /// Bit `n` set = value `n` allowed.
    public private(set) var bits: UInt64
    /// Written with `*` or `?` (alone or stepped by 1) in at least one list item. When either
    /// day field is unrestricted a day must match both; otherwise either (standard cron).
    public private(set) var isUnrestricted: Bool

    /// A field allowing exactly `values`.
    public init(_ values: some Sequence<Int>, unrestricted: Bool = false) {
        bits = 0
        for value in values { bits |= 1 << UInt64(value) }
        isUnrestricted = unrestricted
    }

    /// Every value of `kind`, as `*` writes it.
    public static func every(_ kind: Kind) -> CronField {
        CronField(kind.everyValue, unrestricted: true)
    }

    /// Whether the field allows `value`.
    public func contains(_ value: Int) -> Bool {
        value >= 0 && value < 64 && bits & (1 << UInt64(value)) != 0
    }

    /// The smallest allowed value in `lower...upper`.
    func first(in range: ClosedRange<Int>) -> Int? {
        range.first(where: contains)
    }

    /// The allowed values, ascending.
    public var values: [Int] { (0..<64).filter(contains) }

    /// Parses the text of one field.
    public init(parsing text: Substring, as kind: Kind) throws(CronScheduleError) {
        bits = 0
        isUnrestricted = false
        for item in text.split(separator: ",", omittingEmptySubsequences: false) {
            try add(item, kind: kind, field: text)
        }
        if kind == .dayOfWeek, contains(7) {
            bits = (bits & ~(1 << 7)) | 1
        }
    }

    private mutating func add(_ item: Substring, kind: Kind, field: Substring) throws(CronScheduleError) {
        func failure(_ reason: String) -> CronScheduleError { .field(kind, text: String(field), reason: reason) }
        guard !item.isEmpty else { throw failure("has an empty list item") }
        let parts = item.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count <= 2 else { throw failure("'\(item)' has more than one '/'") }
        let rangeText = parts[0]
        var star = false
        var lower: Int
        var upper: Int
        if rangeText == "*" || rangeText == "?" {
            star = true
            lower = kind.everyValue.lowerBound
            upper = kind.everyValue.upperBound
        } else {
            let ends = rangeText.split(separator: "-", omittingEmptySubsequences: false)
            guard ends.count <= 2 else { throw failure("'\(item)' has more than one '-'") }
            lower = try Self.value(ends[0], kind: kind, item: item, field: field)
            upper = ends.count == 2 ? try Self.value(ends[1], kind: kind, item: item, field: field) : lower
            // `5/15` means `5-<max>/15`.
            if ends.count == 1, parts.count == 2 { upper = kind.everyValue.upperBound }
        }
        var step = 1
        if parts.count == 2 {
            guard let parsed = Self.number(parts[1]) else { throw failure("step '\(parts[1])' in '\(item)' is not a whole number") }
            guard parsed > 0 else { throw failure("step in '\(item)' must be at least 1") }
            step = parsed
        }
        guard kind.bounds.contains(lower) else { throw failure("\(lower) in '\(item)' is outside \(kind.bounds.lowerBound)-\(kind.bounds.upperBound)") }
        guard kind.bounds.contains(upper) else { throw failure("\(upper) in '\(item)' is outside \(kind.bounds.lowerBound)-\(kind.bounds.upperBound)") }
        guard lower <= upper else { throw failure("range '\(item)' starts after it ends") }
        for value in stride(from: lower, through: upper, by: step) { bits |= 1 << UInt64(value) }
        if star, step == 1 { isUnrestricted = true }
    }

    private static func value(_ text: Substring, kind: Kind, item: Substring, field: Substring) throws(CronScheduleError) -> Int {
        if let named = kind.names[text.lowercased()] { return named }
        guard let number = number(text) else {
            let names = kind.names.isEmpty ? "" : " or a name like \(kind == .month ? "JAN" : "MON")"
            throw .field(kind, text: String(field), reason: "'\(text)' in '\(item)' is not a number\(names)")
        }
        return number
    }

    private static func number(_ text: Substring) -> Int? {
        guard !text.isEmpty, text.count <= 9, text.allSatisfy({ $0.isASCII && $0.isNumber }) else { return nil }
        return Int(text)
    }
}
