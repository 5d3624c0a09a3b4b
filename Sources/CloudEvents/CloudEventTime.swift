import OutriggerSeam
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// RFC 3339 timestamps as CloudEvents and Dapr use them.
///
/// The calendar arithmetic is done by hand (proleptic Gregorian, UTC) so the
/// hot publish path needs no Foundation date formatter and results do not depend
/// on the process's time zone or locale.
public enum CloudEventTime {
    /// Current UTC time in RFC 3339 with "Z", second precision like Go's time.RFC3339 (e.g. "2026-11-23T10:21:06Z").
    public static func now() -> String {
        format(secondsSince1970: currentSeconds())
    }

    /// Seconds since 1970-01-01T00:00:00Z according to the system clock.
    public static func currentSeconds() -> Double {
        var spec = timespec()
        clock_gettime(CLOCK_REALTIME, &spec)
        return Double(spec.tv_sec) + Double(spec.tv_nsec) / 1_000_000_000
    }

    /// `secondsSince1970` as `YYYY-MM-DDTHH:MM:SSZ`, fractions truncated toward
    /// the earlier second. Values outside years 0000–9999 are clamped, since
    /// RFC 3339 cannot express them.
    public static func format(secondsSince1970: Double) -> String {
        let lowest = -62_167_219_200.0  // 0000-01-01T00:00:00Z
        let highest = 253_402_300_799.0  // 9999-12-31T23:59:59Z
        let clamped = secondsSince1970.isNaN ? 0 : min(max(secondsSince1970.rounded(.down), lowest), highest)
        let total = Int64(clamped)
        let days = total >= 0 ? total / 86_400 : (total - 86_399) / 86_400
        let secondOfDay = Int(total - days * 86_400)
        let date = CivilCalendar.date(fromDays: days)
        let (year, month, day) = (Int(date.year), Int(date.month), Int(date.day))
        // Written straight into the string's storage: one allocation per timestamp (each
        // publish makes one).
        return String(unsafeUninitializedCapacity: 20) { out in
            var index = 0
            func put(_ byte: UInt8) {
                out[index] = byte
                index += 1
            }
            func put(_ value: Int, width: Int) {
                var divisor = 1
                for _ in 1..<width { divisor *= 10 }
                while divisor > 0 {
                    put(UInt8(ascii: "0") + UInt8(value / divisor % 10))
                    divisor /= 10
                }
            }
            put(year, width: 4)
            put(UInt8(ascii: "-"))
            put(month, width: 2)
            put(UInt8(ascii: "-"))
            put(day, width: 2)
            put(UInt8(ascii: "T"))
            put(secondOfDay / 3600, width: 2)
            put(UInt8(ascii: ":"))
            put(secondOfDay / 60 % 60, width: 2)
            put(UInt8(ascii: ":"))
            put(secondOfDay % 60, width: 2)
            put(UInt8(ascii: "Z"))
            return index
        }
    }
}
