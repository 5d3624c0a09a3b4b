@testable import BuiltinComponents
import Testing

@Suite("CivilTime and the cron event's time texts")
struct CivilTimeTests {
    @Test("the epoch, a leap day and a time before 1970 convert both ways")
    func roundTrips() {
        let cases: [(CivilTime, Int64)] = [
            (CivilTime(year: 1970, month: 1, day: 1), 0),
            (CivilTime(year: 2000, month: 2, day: 29, hour: 12, minute: 34, second: 56), 951_827_696),
            (CivilTime(year: 1969, month: 12, day: 31, hour: 23, minute: 59, second: 59), -1),
            (CivilTime(year: 2100, month: 3, day: 1), 4_107_542_400),
        ]
        for (civil, seconds) in cases {
            #expect(civil.secondsSinceEpoch == seconds)
            #expect(CivilTime(secondsSinceEpoch: seconds) == civil)
        }
    }

    @Test("every day of four centuries converts to seconds and back to itself")
    func everyDay() {
        var seconds = CivilTime(year: 1900, month: 1, day: 1).secondsSinceEpoch
        var expected = CivilTime(year: 1900, month: 1, day: 1)
        var mismatches: [CivilTime] = []
        for _ in 0..<(146_097) {
            if CivilTime(secondsSinceEpoch: seconds) != expected || expected.secondsSinceEpoch != seconds { mismatches.append(expected) }
            seconds += 86_400
            expected.day += 1
            if expected.day > CivilTime.daysInMonth(year: expected.year, month: expected.month) {
                expected.day = 1
                expected.month += 1
                if expected.month > 12 { expected.month = 1; expected.year += 1 }
            }
        }
        #expect(mismatches.isEmpty)
        #expect(expected == CivilTime(year: 2300, month: 1, day: 1))
    }

    @Test("weekdays count from Sunday = 0")
    func weekdays() {
        #expect(CivilTime(year: 1970, month: 1, day: 1).weekday == 4)
        #expect(CivilTime(year: 2024, month: 1, day: 1).weekday == 1)
        #expect(CivilTime(year: 2024, month: 2, day: 29).weekday == 4)
        #expect(CivilTime(year: 1969, month: 12, day: 28).weekday == 0)
    }

    @Test("scheduledTime is RFC 3339 in UTC, with a fraction only when there is one")
    func rfc3339() {
        let noon = Duration.seconds(CivilTime(year: 2024, month: 5, day: 1, hour: 12).secondsSinceEpoch)
        #expect(CronTimeText.rfc3339(noon) == "2024-05-01T12:00:00Z")
        #expect(CronTimeText.rfc3339(noon + .milliseconds(250)) == "2024-05-01T12:00:00.25Z")
        #expect(CronTimeText.rfc3339(noon + .nanoseconds(7)) == "2024-05-01T12:00:00.000000007Z")
    }

    @Test("readTimeUTC is written as Go prints a UTC time")
    func goText() {
        let noon = Duration.seconds(CivilTime(year: 2024, month: 5, day: 1, hour: 12).secondsSinceEpoch)
        #expect(CronTimeText.goUTC(noon) == "2024-05-01 12:00:00 +0000 UTC")
        #expect(CronTimeText.goUTC(noon + .microseconds(123_456)) == "2024-05-01 12:00:00.123456 +0000 UTC")
    }
}
