/// The six calendar fields of a cron schedule and the search for the next matching reading.
public struct CronFields: Sendable, Hashable {
    /// 0-59
    public var second: CronField
    /// 0-59
    public var minute: CronField
    /// 0-23
    public var hour: CronField
    /// 1-31
    public var dayOfMonth: CronField
    /// 1-12
    public var month: CronField
    /// 0-6, Sunday = 0
    public var dayOfWeek: CronField

    /// Fields from allowed values; an omitted field is `*`.
    public init(
        second: [Int]? = nil, minute: [Int]? = nil, hour: [Int]? = nil,
        dayOfMonth: [Int]? = nil, month: [Int]? = nil, dayOfWeek: [Int]? = nil
    ) {
        func field(_ values: [Int]?, _ kind: CronField.Kind) -> CronField {
            values.map { CronField($0) } ?? .every(kind)
        }
        self.second = field(second, .second)
        self.minute = field(minute, .minute)
        self.hour = field(hour, .hour)
        self.dayOfMonth = field(dayOfMonth, .dayOfMonth)
        self.month = field(month, .month)
        self.dayOfWeek = field(dayOfWeek, .dayOfWeek)
    }

    /// Parses 5 fields (`minute hour day-of-month month day-of-week`, second 0) or 6 (second
    /// first), separated by whitespace.
    public init(parsing text: Substring) throws(CronScheduleError) {
        let parts = text.split(whereSeparator: \.isWhitespace)
        guard parts.count == 5 || parts.count == 6 else { throw .fieldCount(parts.count) }
        let texts = parts.count == 6 ? parts : ["0"] + parts
        second = try CronField(parsing: texts[0], as: .second)
        minute = try CronField(parsing: texts[1], as: .minute)
        hour = try CronField(parsing: texts[2], as: .hour)
        dayOfMonth = try CronField(parsing: texts[3], as: .dayOfMonth)
        month = try CronField(parsing: texts[4], as: .month)
        dayOfWeek = try CronField(parsing: texts[5], as: .dayOfWeek)
        try checkSatisfiable(dayOfMonthText: String(texts[3]))
    }

    /// A day-of-month list that no allowed month has (`31` in `APR,JUN`) never fires, unless
    /// the weekday field can fire on its own.
    private func checkSatisfiable(dayOfMonthText: String) throws(CronScheduleError) {
        guard !dayOfMonth.isUnrestricted, dayOfWeek.isUnrestricted else { return }
        guard let firstDay = dayOfMonth.values.first else { return }
        // February counts its leap day: 29 February fires in leap years.
        let longest = month.values.map { CivilTime.daysInMonth(year: 2000, month: $0) }.max() ?? 0
        if firstDay > longest {
            throw .neverFires("no month the month field allows has a day \(dayOfMonthText)")
        }
    }

    /// Whether a date's day matches the two day fields.
    func matchesDay(year: Int, month: Int, day: Int) -> Bool {
        let byDate = dayOfMonth.contains(day)
        let byWeekday = dayOfWeek.contains(CivilTime.weekday(year: year, month: month, day: day))
        if dayOfMonth.isUnrestricted || dayOfWeek.isUnrestricted { return byDate && byWeekday }
        return byDate || byWeekday
    }

    /// The earliest reading at or after `start` that matches every field, looking at most
    /// `years` calendar years ahead (a 29 February schedule waits up to 8).
    public func firstMatch(atOrAfter start: CivilTime, years: Int = 12) -> CivilTime? {
        for year in start.year...(start.year + years) {
            let firstMonth = year == start.year ? start.month : 1
            for month in firstMonth...12 where self.month.contains(month) {
                let startsHere = year == start.year && month == start.month
                let lastDay = CivilTime.daysInMonth(year: year, month: month)
                let firstDay = startsHere ? start.day : 1
                guard firstDay <= lastDay else { continue }
                for day in firstDay...lastDay where matchesDay(year: year, month: month, day: day) {
                    let floor = startsHere && day == start.day ? (start.hour, start.minute, start.second) : (0, 0, 0)
                    if let time = firstTime(atOrAfter: floor) {
                        return CivilTime(year: year, month: month, day: day, hour: time.0, minute: time.1, second: time.2)
                    }
                }
            }
        }
        return nil
    }

    private func firstTime(atOrAfter floor: (Int, Int, Int)) -> (Int, Int, Int)? {
        for h in floor.0...23 where hour.contains(h) {
            let fromMinute = h == floor.0 ? floor.1 : 0
            for m in fromMinute...59 where minute.contains(m) {
                let fromSecond = h == floor.0 && m == floor.1 ? floor.2 : 0
                if let s = second.first(in: fromSecond...59) { return (h, m, s) }
            }
        }
        return nil
    }

    /// The earliest Unix second at or after `start` whose reading in `zone` matches.
    ///
    /// Between two offset changes the reading grows with the instant, so the first match of a
    /// stretch is the first matching reading mapped back with that stretch's offset; a match
    /// that falls past the stretch's end is searched again from the next stretch.
    func next(atOrAfter start: Int64, in zone: CronTimeZone) -> Int64? {
        var from = start
        // Zones change offset at most a few times a year; the bound only stops a broken zone.
        for _ in 0..<1_000 {
            let offset = Int64(zone.offset(at: from))
            let stretchEnd = zone.nextTransition(after: from)
            guard let reading = firstMatch(atOrAfter: CivilTime(secondsSinceEpoch: from + offset)) else { return nil }
            let instant = reading.secondsSinceEpoch - offset
            if let stretchEnd, instant >= stretchEnd {
                from = stretchEnd
                continue
            }
            return instant
        }
        return nil
    }
}
