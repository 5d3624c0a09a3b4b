import Logging
import OutriggerCore
import Synchronization

/// The firings of one `read` of a cron binding, as the shared ``ConsumerDriver`` pulls them:
/// each pull waits on the clock until the wall clock reaches the next firing time and returns
/// that firing.
///
/// The driver runs one handler at a time and pulls again only once it returned, so a firing
/// never overlaps the previous one: firing times that pass meanwhile (a slow app, or a process
/// that could not run — a suspended machine, a wall clock set forward) are skipped and counted,
/// and the schedule goes on from the first firing still ahead.
final class CronFirings: Sendable {
    /// Firing counts shared by every read of one binding.
    final class Counters: Sendable {
        private let counts = Mutex((started: 0, skipped: 0, running: 0))
        var started: Int { counts.withLock { $0.started } }
        var skipped: Int { counts.withLock { $0.skipped } }
        var running: Int { counts.withLock { $0.running } }
        func start() { counts.withLock { $0.started += 1; $0.running += 1 } }
        func end() { counts.withLock { $0.running -= 1 } }
        func skip(_ count: Int) -> Int { counts.withLock { $0.skipped += count; return $0.skipped } }
    }

    /// The longest single sleep: the wall clock is read again at least this often, so a clock
    /// set forward, or a machine that was suspended, is noticed within it.
    static let longestSleep = Duration.seconds(60)

    /// Firing times counted one by one when skipped; past it the schedule restarts from now.
    private static let countingLimit = 10_000

    private let schedule: CronSchedule
    private let clock: AnyClock
    private let wallClock: CronBinding.WallClock
    private let counters: Counters
    private let logger: Logger
    private let lastFiring = Mutex<Duration?>(nil)

    init(schedule: CronSchedule, clock: AnyClock, wallClock: @escaping CronBinding.WallClock, counters: Counters, logger: Logger) {
        self.schedule = schedule
        self.clock = clock
        self.wallClock = wallClock
        self.counters = counters
        self.logger = logger
    }

    /// The next firing, once its time has come; `nil` when the schedule has no further firing.
    /// Throws `CancellationError` when the driver stops pulling meanwhile.
    func next() async throws -> [BindingEvent]? {
        guard let fireAt = nextFiringTime() else {
            logger.warning("cron schedule '\(schedule)' has no further firing")
            return nil
        }
        try await sleep(untilWallTime: fireAt)
        lastFiring.withLock { $0 = fireAt }
        return [BindingEvent(data: [], metadata: [
            "timeZone": schedule.hasExplicitTimeZone ? schedule.timeZone.identifier : "Local",
            "readTimeUTC": CronTimeText.goUTC(wallClock()),
            "scheduledTime": CronTimeText.rfc3339(fireAt),
        ])]
    }

    /// The first firing time still ahead; those that passed since the last firing are skipped.
    private func nextFiringTime() -> Duration? {
        let now = wallClock()
        guard let previous = lastFiring.withLock({ $0 }) else {
            let first = schedule.next(after: now)
            if let first { logger.debug("cron schedule '\(schedule)': first firing at \(CronTimeText.rfc3339(first))") }
            return first
        }
        var candidate = schedule.next(after: previous)
        var skipped = 0
        while let due = candidate, due <= now {
            skipped += 1
            candidate = skipped < Self.countingLimit ? schedule.next(after: due) : schedule.next(after: now)
        }
        if skipped > 0 {
            let total = counters.skip(skipped)
            logger.warning("cron firings skipped: they came while the previous handler was still running (or the process could not run)", metadata: [
                "skipped": "\(skipped)", "total": "\(total)", "after": "\(CronTimeText.rfc3339(previous))",
            ])
        }
        return candidate
    }

    /// Sleeps on `clock` until the wall clock reads `target`. Waking early (the wall clock was
    /// set back) just sleeps again.
    private func sleep(untilWallTime target: Duration) async throws {
        while true {
            let remaining = target - wallClock()
            if remaining <= .zero { return }
            try await clock.sleep(for: min(remaining, Self.longestSleep))
        }
    }
}
