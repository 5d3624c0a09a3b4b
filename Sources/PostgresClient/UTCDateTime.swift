import OutriggerSeam
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// An instant on the UTC time line with nanosecond precision, written as RFC 3339.
///
/// `timestamp`, `timestamptz` and `date` columns decode to this; ``iso8601`` is the text
/// Go's `time.Time` marshals to JSON (what Dapr answers), e.g. `2024-03-01T12:30:05.25Z`.
public struct UTCDateTime: Sendable, Hashable, Comparable, CustomStringConvertible {
    /// Whole seconds since 1970-01-01T00:00:00Z (negative before).
    public var secondsSinceEpoch: Int64
    /// Nanoseconds past ``secondsSinceEpoch``, `0..<1_000_000_000`.
    public var nanoseconds: Int32

    /// The instant `secondsSinceEpoch` + `nanoseconds` after the Unix epoch.
    public init(secondsSinceEpoch: Int64, nanoseconds: Int32 = 0) {
        self.secondsSinceEpoch = secondsSinceEpoch
        self.nanoseconds = nanoseconds
    }

    /// The instant of the proleptic Gregorian civil time given, taken as UTC.
    public init(year: Int64, month: Int64, day: Int64, hour: Int64 = 0, minute: Int64 = 0, second: Int64 = 0, nanoseconds: Int32 = 0) {
        let days = CivilCalendar.days(year: year, month: month, day: day)
        self.init(secondsSinceEpoch: days * 86_400 + hour * 3_600 + minute * 60 + second, nanoseconds: nanoseconds)
    }

    /// The wall clock now (`CLOCK_REALTIME`).
    public static func now() -> UTCDateTime {
        var spec = timespec()
        clock_gettime(CLOCK_REALTIME, &spec)
        return UTCDateTime(secondsSinceEpoch: Int64(spec.tv_sec), nanoseconds: Int32(spec.tv_nsec))
    }

    /// RFC 3339 in UTC with `Z`; the fraction has no trailing zeros and is left out when zero.
    public var iso8601: String {
        let days = secondsSinceEpoch >= 0 ? secondsSinceEpoch / 86_400 : (secondsSinceEpoch - 86_399) / 86_400
        let secondOfDay = secondsSinceEpoch - days * 86_400
        let (year, month, day) = CivilCalendar.date(fromDays: days)
        var text = year >= 0 && year <= 9999 ? Self.padded(year, 4) : String(year)
        text += "-" + Self.padded(month, 2) + "-" + Self.padded(day, 2)
        text += "T" + Self.padded(secondOfDay / 3_600, 2) + ":" + Self.padded(secondOfDay % 3_600 / 60, 2)
        text += ":" + Self.padded(secondOfDay % 60, 2)
        if nanoseconds > 0 {
            var fraction = Self.padded(Int64(nanoseconds), 9)
            while fraction.last == "0" { fraction.removeLast() }
            text += "." + fraction
        }
        return text + "Z"
    }

    /// ``iso8601``.
    public var description: String { iso8601 }

    /// Earlier instants first.
    public static func < (lhs: UTCDateTime, rhs: UTCDateTime) -> Bool {
        (lhs.secondsSinceEpoch, lhs.nanoseconds) < (rhs.secondsSinceEpoch, rhs.nanoseconds)
    }

    /// The time between two instants (`self - other`).
    public func duration(since other: UTCDateTime) -> Duration {
        .seconds(secondsSinceEpoch - other.secondsSinceEpoch) + .nanoseconds(Int64(nanoseconds) - Int64(other.nanoseconds))
    }

    private static func padded(_ value: Int64, _ width: Int) -> String {
        let digits = String(value)
        return digits.count >= width ? digits : String(repeating: "0", count: width - digits.count) + digits
    }
}
