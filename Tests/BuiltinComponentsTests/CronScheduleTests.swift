import BuiltinComponents
import Testing

/// The next firing of `schedule` after `after`, as a UTC reading; nil when it never fires.
private func next(_ schedule: String, after: CivilTime, zone: CronTimeZone = .utc) throws -> CivilTime? {
    let parsed = try CronSchedule(parsing: schedule, localTimeZone: zone)
    return parsed.next(after: .seconds(after.secondsSinceEpoch)).map { CivilTime(secondsSinceEpoch: $0.components.seconds) }
}

/// The first `count` firings after `after`.
private func firings(_ schedule: String, after: CivilTime, count: Int, zone: CronTimeZone = .utc) throws -> [CivilTime] {
    let parsed = try CronSchedule(parsing: schedule, localTimeZone: zone)
    var time = Duration.seconds(after.secondsSinceEpoch)
    var found: [CivilTime] = []
    for _ in 0..<count {
        guard let following = parsed.next(after: time) else { break }
        found.append(CivilTime(secondsSinceEpoch: following.components.seconds))
        time = following
    }
    return found
}

private func at(_ year: Int, _ month: Int, _ day: Int, _ hour: Int = 0, _ minute: Int = 0, _ second: Int = 0) -> CivilTime {
    CivilTime(year: year, month: month, day: day, hour: hour, minute: minute, second: second)
}

@Suite("CronSchedule: next firing times")
struct CronScheduleNextTests {
    @Test("5 fields: */15 minutes fires on the next quarter hour, second 0")
    func fiveFieldQuarterHour() throws {
        #expect(try next("*/15 * * * *", after: at(2024, 5, 1, 10, 7, 30)) == at(2024, 5, 1, 10, 15))
    }

    @Test("6 fields: seconds come first, and a firing time is strictly after the given time")
    func sixFieldSeconds() throws {
        #expect(try next("*/5 * * * * *", after: at(2024, 5, 1, 10, 0, 3)) == at(2024, 5, 1, 10, 0, 5))
        #expect(try next("*/5 * * * * *", after: at(2024, 5, 1, 10, 0, 5)) == at(2024, 5, 1, 10, 0, 10))
    }

    @Test("a time with a fraction of a second fires on the next matching whole second")
    func fractionalStart() throws {
        let schedule = try CronSchedule(parsing: "* * * * * *", localTimeZone: .utc)
        let start = Duration.seconds(at(2024, 5, 1, 10).secondsSinceEpoch) + .milliseconds(400)
        #expect(schedule.next(after: start) == .seconds(at(2024, 5, 1, 10, 0, 1).secondsSinceEpoch))
    }

    @Test("the last minute of the year rolls over to the next year")
    func yearBoundary() throws {
        #expect(try next("0 0 1 * *", after: at(2024, 12, 15)) == at(2025, 1, 1))
        #expect(try next("* * * * * *", after: at(2024, 12, 31, 23, 59, 59)) == at(2025, 1, 1))
    }

    @Test("the first of the month fires across a month boundary")
    func monthBoundary() throws {
        #expect(try next("0 0 1 * *", after: at(2024, 1, 15, 12)) == at(2024, 2, 1))
    }

    @Test("day 31 skips months that have no 31st")
    func thirtyFirst() throws {
        #expect(try firings("0 0 31 * *", after: at(2024, 4, 1), count: 3) == [at(2024, 5, 31), at(2024, 7, 31), at(2024, 8, 31)])
    }

    @Test("29 February waits for the next leap year, and 2100 is not one")
    func leapDay() throws {
        #expect(try next("0 0 29 2 *", after: at(2025, 3, 1)) == at(2028, 2, 29))
        #expect(try next("0 0 29 2 *", after: at(2096, 3, 1)) == at(2104, 2, 29))
    }

    @Test("when both day fields are restricted, a day matching either fires (standard cron OR)")
    func dayFieldsOr() throws {
        // 2024-01-05 and 2024-01-12 are Fridays; the 13th is a Saturday.
        #expect(try firings("0 0 13 * FRI", after: at(2024, 1, 1), count: 4) == [at(2024, 1, 5), at(2024, 1, 12), at(2024, 1, 13), at(2024, 1, 19)])
    }

    @Test("when the day of month is *, the weekday must match as well")
    func weekdaysOnly() throws {
        // 2024-01-06 is a Saturday.
        #expect(try firings("0 9 * * MON-FRI", after: at(2024, 1, 6), count: 2) == [at(2024, 1, 8, 9), at(2024, 1, 9, 9)])
    }

    @Test("when the weekday is ? the day of month alone decides")
    func questionMarkWeekday() throws {
        #expect(try next("0 0 0 15 * ?", after: at(2024, 1, 1)) == at(2024, 1, 15))
        #expect(try next("0 0 */6 ? * *", after: at(2024, 1, 1, 5)) == at(2024, 1, 1, 6))
    }

    @Test("*/1 counts as unrestricted, a full range written as numbers does not")
    func starStepOneVersusRange() throws {
        // Unrestricted day of month: only Mondays (2024-01-08 is one).
        #expect(try next("0 0 */1 * MON", after: at(2024, 1, 2)) == at(2024, 1, 8))
        // 1-31 is a restriction, so either field matches: every day.
        #expect(try next("0 0 1-31 * MON", after: at(2024, 1, 2)) == at(2024, 1, 3))
    }

    @Test("month and weekday names, in any case, and weekday 7 as Sunday")
    func names() throws {
        #expect(try next("0 0 1 jul,DEC *", after: at(2024, 7, 2)) == at(2024, 12, 1))
        #expect(try next("0 0 * MAR-May *", after: at(2024, 6, 1)) == at(2025, 3, 1))
        // 2024-01-07 is a Sunday.
        #expect(try next("0 0 * * 7", after: at(2024, 1, 1)) == at(2024, 1, 7))
        #expect(try next("0 0 * * sun", after: at(2024, 1, 1)) == at(2024, 1, 7))
    }

    @Test("stepped ranges: a-b/n and a/n")
    func steppedRanges() throws {
        #expect(try firings("10-50/20 * * * * *", after: at(2024, 1, 1), count: 4) == [at(2024, 1, 1, 0, 0, 10), at(2024, 1, 1, 0, 0, 30), at(2024, 1, 1, 0, 0, 50), at(2024, 1, 1, 0, 1, 10)])
        #expect(try firings("5/20 * * * *", after: at(2024, 1, 1), count: 3) == [at(2024, 1, 1, 0, 5), at(2024, 1, 1, 0, 25), at(2024, 1, 1, 0, 45)])
    }

    @Test("lists and ranges combine in one field")
    func listsAndRanges() throws {
        #expect(try firings("0 30 3-4,20 * * *", after: at(2024, 1, 1), count: 4) == [at(2024, 1, 1, 3, 30), at(2024, 1, 1, 4, 30), at(2024, 1, 1, 20, 30), at(2024, 1, 2, 3, 30)])
    }

    @Test("the macros fire where Dapr's do")
    func macros() throws {
        let start = at(2024, 7, 17, 13, 45, 10) // a Wednesday
        #expect(try next("@yearly", after: start) == at(2025, 1, 1))
        #expect(try next("@annually", after: start) == at(2025, 1, 1))
        #expect(try next("@monthly", after: start) == at(2024, 8, 1))
        #expect(try next("@weekly", after: start) == at(2024, 7, 21))
        #expect(try next("@daily", after: start) == at(2024, 7, 18))
        #expect(try next("@midnight", after: start) == at(2024, 7, 18))
        #expect(try next("@hourly", after: start) == at(2024, 7, 17, 14))
    }

    @Test("@every fires the interval after the time it is given, to the nanosecond")
    func every() throws {
        let schedule = try CronSchedule(parsing: "@every 1m30s")
        #expect(schedule.rule == .every(.seconds(90)))
        let start = Duration.seconds(1_700_000_000) + .milliseconds(250)
        #expect(schedule.next(after: start) == start + .seconds(90))
    }

    @Test("in UTC there is no daylight saving: 02:30 fires on the day clocks change elsewhere")
    func utcHasNoDST() throws {
        #expect(try firings("0 30 2 * * *", after: at(2024, 3, 10), count: 2) == [at(2024, 3, 10, 2, 30), at(2024, 3, 11, 2, 30)])
    }

    @Test("the local time zone given at parsing is where the fields are read")
    func localZone() throws {
        let plusTwo = CronTimeZone.fixed(secondsEast: 7200, identifier: "Test/PlusTwo")
        #expect(try next("0 0 * * *", after: at(2024, 1, 1, 12), zone: plusTwo) == at(2024, 1, 1, 22))
    }

    @Test("CRON_TZ= and TZ= read the fields in the named zone")
    func cronTZ() throws {
        #expect(try next("CRON_TZ=America/New_York 0 30 4 * * *", after: at(2024, 7, 1)) == at(2024, 7, 1, 8, 30))
        #expect(try next("TZ=America/New_York 0 30 4 * * *", after: at(2024, 1, 10)) == at(2024, 1, 10, 9, 30))
        #expect(try CronSchedule(parsing: "CRON_TZ=Asia/Tokyo @daily", localTimeZone: .utc).timeZone.identifier == "Asia/Tokyo")
    }
}

@Suite("CronSchedule: daylight saving time")
struct CronScheduleDSTTests {
    // US Eastern rules for 2024: clocks go 02:00 -> 03:00 on 10 March (07:00 UTC) and
    // 02:00 -> 01:00 on 3 November (06:00 UTC).
    private static let springForward = at(2024, 3, 10, 7).secondsSinceEpoch
    private static let fallBack = at(2024, 11, 3, 6).secondsSinceEpoch
    private let eastern = CronTimeZone(
        identifier: "Test/Eastern",
        offset: { $0 >= springForward && $0 < fallBack ? -4 * 3600 : -5 * 3600 },
        nextTransition: { $0 < springForward ? springForward : $0 < fallBack ? fallBack : nil })

    @Test("a time the clock skips in spring never fires that day")
    func springGap() throws {
        // 02:30 EST on the 9th is 07:30 UTC; on the 10th 02:30 does not exist; on the 11th it is 06:30 UTC (EDT).
        #expect(try firings("0 30 2 * * *", after: at(2024, 3, 9), count: 2, zone: eastern) == [at(2024, 3, 9, 7, 30), at(2024, 3, 11, 6, 30)])
    }

    @Test("the hour after the gap fires at its new offset")
    func afterGap() throws {
        #expect(try next("0 0 3 * * *", after: at(2024, 3, 10, 6), zone: eastern) == at(2024, 3, 10, 7))
    }

    @Test("a time the clock repeats in autumn fires twice, once at each offset")
    func autumnRepeat() throws {
        // 01:30 EDT is 05:30 UTC, 01:30 EST is 06:30 UTC, and on the 4th 01:30 EST is 06:30 UTC.
        #expect(try firings("0 30 1 * * *", after: at(2024, 11, 3, 4), count: 3, zone: eastern) == [at(2024, 11, 3, 5, 30), at(2024, 11, 3, 6, 30), at(2024, 11, 4, 6, 30)])
    }

    @Test("the system's zone database gives the same spring gap for America/New_York")
    func systemZone() throws {
        let newYork = try #require(CronTimeZone(identifier: "America/New_York"))
        #expect(try firings("0 30 2 * * *", after: at(2024, 3, 9), count: 2, zone: newYork) == [at(2024, 3, 9, 7, 30), at(2024, 3, 11, 6, 30)])
    }
}

@Suite("CronSchedule: parsing")
struct CronScheduleParsingTests {
    private func error(_ text: String) -> CronScheduleError? {
        do {
            _ = try CronSchedule(parsing: text, localTimeZone: .utc)
            return nil
        } catch {
            return error
        }
    }

    @Test("5 fields get second 0; 6 fields keep their seconds")
    func fieldCounts() throws {
        guard case .calendar(let five) = try CronSchedule(parsing: "*/15 * * * *", localTimeZone: .utc).rule else { Issue.record("not a calendar rule"); return }
        #expect(five.second.values == [0])
        #expect(five.minute.values == [0, 15, 30, 45])
        guard case .calendar(let six) = try CronSchedule(parsing: "*/20 0 * * * *", localTimeZone: .utc).rule else { Issue.record("not a calendar rule"); return }
        #expect(six.second.values == [0, 20, 40])
    }

    @Test("surrounding and repeated whitespace is allowed")
    func whitespace() throws {
        #expect(try next("  0   12 * *  *  ", after: at(2024, 1, 1)) == at(2024, 1, 1, 12))
    }

    @Test("a wrong number of fields is refused, saying how many were found")
    func wrongFieldCount() {
        #expect(error("* * * *") == .fieldCount(4))
        #expect(error("* * * * * * *") == .fieldCount(7))
        #expect(error("INVALID_SCHEDULE") == .fieldCount(1))
        #expect(error("   ") == .empty)
    }

    @Test("a value out of range names the field and its bounds")
    func outOfRange() {
        #expect(error("61 * * * *")?.description == "minute field '61': 61 in '61' is outside 0-59")
        #expect(error("0 0 24 * * *")?.description.hasPrefix("hour field '24'") == true)
        #expect(error("0 0 32 * *")?.description.hasPrefix("day of month field '32'") == true)
        #expect(error("0 0 0 * *")?.description.hasPrefix("day of month field '0'") == true)
        #expect(error("0 0 * 13 *")?.description.hasPrefix("month field '13'") == true)
        #expect(error("0 0 * * 8")?.description.hasPrefix("day of week field '8'") == true)
    }

    @Test("malformed ranges, steps and lists are refused with what is wrong")
    func malformedItems() {
        #expect(error("5-3 * * * *")?.description == "minute field '5-3': range '5-3' starts after it ends")
        #expect(error("*/0 * * * *")?.description == "minute field '*/0': step in '*/0' must be at least 1")
        #expect(error("1/2/3 * * * *")?.description == "minute field '1/2/3': '1/2/3' has more than one '/'")
        #expect(error("1-2-3 * * * *")?.description == "minute field '1-2-3': '1-2-3' has more than one '-'")
        #expect(error("1,,2 * * * *")?.description == "minute field '1,,2': has an empty list item")
        #expect(error("MON * * * *")?.description == "minute field 'MON': 'MON' in 'MON' is not a number")
        #expect(error("0 0 * FOO *")?.description == "month field 'FOO': 'FOO' in 'FOO' is not a number or a name like JAN")
        #expect(error("*/x * * * *")?.description == "minute field '*/x': step 'x' in '*/x' is not a whole number")
        #expect(error("-1 * * * *") != nil)
    }

    @Test("a day that no allowed month has is refused as never firing")
    func neverFires() {
        #expect(error("0 0 30 2 *") == .neverFires("no month the month field allows has a day 30"))
        #expect(error("0 0 31 APR,JUN,SEP,NOV *") != nil)
        // With a restricted weekday the weekday alone can fire, so it is accepted.
        #expect(error("0 0 30 2 MON") == nil)
    }

    @Test("unknown macros and bad @every durations are refused")
    func badMacros() {
        #expect(error("@fortnightly") == .unknownMacro("@fortnightly"))
        #expect(error("@every") == .unknownMacro("@every"))
        #expect(error("@every 15 minutes") == .interval("15 minutes", reason: "is not a duration like 90s, 15m or 1h30m"))
        #expect(error("@every 0s") == .interval("0s", reason: "must be longer than zero"))
        #expect(error("@every -1m") == .interval("-1m", reason: "must be longer than zero"))
    }

    @Test("an unknown CRON_TZ zone, or one with no schedule after it, is refused")
    func badTimeZone() {
        #expect(error("CRON_TZ=Nowhere/Atlantis * * * * *") == .timeZone("Nowhere/Atlantis", reason: "is not a known IANA time zone such as Europe/Berlin"))
        #expect(error("CRON_TZ=UTC") == .timeZone("UTC", reason: "is followed by no schedule"))
        #expect(error("TZ= * * * * *") == .timeZone("", reason: "the prefix names no zone"))
    }

    @Test("the schedule remembers whether it chose its own zone")
    func explicitZone() throws {
        #expect(try CronSchedule(parsing: "@daily", localTimeZone: .utc).hasExplicitTimeZone == false)
        #expect(try CronSchedule(parsing: "CRON_TZ=UTC @daily", localTimeZone: .utc).hasExplicitTimeZone == true)
    }
}
