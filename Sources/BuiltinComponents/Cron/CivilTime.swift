import OutriggerCore

/// A wall-clock reading (proleptic Gregorian calendar, whole seconds) with no time zone
/// attached: what a clock on the wall shows, as the cron fields see it.
///
/// `secondsSinceEpoch` counts as if the reading were UTC; a time zone turns it into an instant
/// by subtracting its offset.
public struct CivilTime: Sendable, Hashable, Comparable, CustomStringConvertible {
    /// The year, e.g. 2024.
    public var year: Int
    /// 1...12
    public var month: Int
    /// 1...31
    public var day: Int
    /// 0...23
    public var hour: Int
    /// 0...59
    public var minute: Int
    /// 0...59
    public var second: Int

    /// The reading with these fields, taken as given (not normalised).
    public init(year: Int, month: Int, day: Int, hour: Int = 0, minute: Int = 0, second: Int = 0) {
        self.year = year
        self.month = month
        self.day = day
        self.hour = hour
        self.minute = minute
        self.second = second
    }

    /// The reading `seconds` after 1970-01-01 00:00:00.
    public init(secondsSinceEpoch seconds: Int64) {
        let days = seconds.floorDivided(by: 86_400)
        let secondOfDay = Int(seconds - days * 86_400)
        let date = Self.date(fromDays: days)
        self.init(
            year: date.year, month: date.month, day: date.day,
            hour: secondOfDay / 3600, minute: secondOfDay / 60 % 60, second: secondOfDay % 60)
    }

    /// Seconds after 1970-01-01 00:00:00 of this reading.
    public var secondsSinceEpoch: Int64 {
        Self.days(year: year, month: month, day: day) * 86_400 + Int64(hour * 3600 + minute * 60 + second)
    }

    /// 0 = Sunday ... 6 = Saturday.
    public var weekday: Int { Self.weekday(year: year, month: month, day: day) }

    /// Earlier on the calendar, then on the clock.
    public static func < (lhs: CivilTime, rhs: CivilTime) -> Bool {
        (lhs.year, lhs.month, lhs.day, lhs.hour, lhs.minute, lhs.second)
            < (rhs.year, rhs.month, rhs.day, rhs.hour, rhs.minute, rhs.second)
    }

    /// `2024-02-29 13:05:00`
    /// Days from 1970-01-01 to the given date (negative before it).
    static func days(year: Int, month: Int, day: Int) -> Int64 {
        CivilCalendar.days(year: Int64(year), month: Int64(month), day: Int64(day))
    }

    /// The date `days` after 1970-01-01.
    static func date(fromDays days: Int64) -> (year: Int, month: Int, day: Int) {
        let date = CivilCalendar.date(fromDays: days)
        return (Int(date.year), Int(date.month), Int(date.day))
    }

    public var description: String {
        "\(Self.pad(year, 4))-\(Self.pad(month, 2))-\(Self.pad(day, 2)) \(Self.pad(hour, 2)):\(Self.pad(minute, 2)):\(Self.pad(second, 2))"
    }



    static func weekday(year: Int, month: Int, day: Int) -> Int {
        // 1970-01-01 was a Thursday.
        Int((days(year: year, month: month, day: day) + 4).floorModulo(7))
    }

    static func isLeapYear(_ year: Int) -> Bool {
        year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)
    }

    static func daysInMonth(year: Int, month: Int) -> Int {
        switch month {
        case 2: isLeapYear(year) ? 29 : 28
        case 4, 6, 9, 11: 30
        default: 31
        }
    }

    static func pad(_ value: Int, _ width: Int) -> String {
        let digits = String(value)
        return digits.count >= width ? digits : String(repeating: "0", count: width - digits.count) + digits
    }
}

extension Int64 {
    func floorDivided(by divisor: Int64) -> Int64 {
        let quotient = self / divisor
        return (self % divisor != 0 && (self < 0) != (divisor < 0)) ? quotient - 1 : quotient
    }

    func floorModulo(_ divisor: Int64) -> Int64 {
        self - floorDivided(by: divisor) * divisor
    }
}
