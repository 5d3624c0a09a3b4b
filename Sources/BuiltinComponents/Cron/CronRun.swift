import Logging
import OutriggerCore
import Synchronization

/// One `read` of a cron binding: the loop that waits for each firing and starts the handler.
///
/// At most one handler runs at a time; a firing that finds the previous handler still running
/// is skipped. Of the firings missed while the process could not run (a suspended machine, a
/// wall clock set forward), only the first fires, late; the loop then goes on from the next
/// firing after the current time.
final class CronRun: Sendable {
    /// Firing counts shared by every run of one binding.
    final class Counters: Sendable {
        private let counts = Mutex((started: 0, skipped: 0, running: 0))
        var started: Int { counts.withLock { $0.started } }
        var skipped: Int { counts.withLock { $0.skipped } }
        var running: Int { counts.withLock { $0.running } }
        func start() { counts.withLock { $0.started += 1; $0.running += 1 } }
        func end() { counts.withLock { $0.running -= 1 } }
        func skip() -> Int { counts.withLock { $0.skipped += 1; return $0.skipped } }
    }

    private struct State {
        var stopped = false
        var loop: Task<Void, Never>?
        var handlerTask: Task<Void, Never>?
        var handlerRunning = false
    }

    private enum Firing {
        case stopped, skipped, started
    }

    private let schedule: CronSchedule
    private let clock: AnyClock
    private let wallClock: CronBinding.WallClock
    private let handler: BindingHandler
    private let counters: Counters
    private let logger: Logger
    private let state = Mutex(State())

    init(schedule: CronSchedule, clock: AnyClock, wallClock: @escaping CronBinding.WallClock, handler: @escaping BindingHandler, counters: Counters, logger: Logger) {
        self.schedule = schedule
        self.clock = clock
        self.wallClock = wallClock
        self.handler = handler
        self.counters = counters
        self.logger = logger
    }

    func start() {
        let loop = Task { await self.run() }
        let stoppedAlready = state.withLock { state in
            state.loop = loop
            return state.stopped
        }
        if stoppedAlready { loop.cancel() }
    }

    /// No firing starts once this returns; the loop's wait is interrupted.
    func stopPulling() {
        let loop = state.withLock { state in
            state.stopped = true
            return state.loop
        }
        loop?.cancel()
    }

    /// Waits for the loop to end and for the handler still running, if any.
    func finish() async {
        await state.withLock { $0.loop }?.value
        await state.withLock { $0.handlerTask }?.value
    }

    private func run() async {
        var next = schedule.next(after: wallClock())
        if let next { logger.debug("cron schedule '\(schedule)': first firing at \(CronTimeText.rfc3339(next))") }
        while let fireAt = next {
            guard await sleep(untilWallTime: fireAt) else { return }
            switch fire(scheduledAt: fireAt) {
            case .stopped:
                return
            case .skipped:
                let total = counters.skip()
                logger.warning("cron firing at \(CronTimeText.rfc3339(fireAt)) skipped: the previous handler is still running (\(total) skipped so far)")
            case .started:
                break
            }
            let now = wallClock()
            next = schedule.next(after: fireAt)
            if let following = next, following <= now { next = schedule.next(after: now) }
        }
        logger.warning("cron schedule '\(schedule)' has no further firing")
    }

    /// The longest single sleep: the wall clock is read again at least this often, so a clock
    /// set forward, or a machine that was suspended, is noticed within it.
    static let longestSleep = Duration.seconds(60)

    /// Sleeps on `clock` until the wall clock reads `target`; false when stopped meanwhile.
    /// Waking early (the wall clock was set back) just sleeps again.
    private func sleep(untilWallTime target: Duration) async -> Bool {
        while !Task.isCancelled {
            let remaining = target - wallClock()
            if remaining <= .zero { return true }
            do {
                try await clock.sleep(for: min(remaining, Self.longestSleep))
            } catch {
                return false
            }
        }
        return false
    }

    private func fire(scheduledAt: Duration) -> Firing {
        let event = BindingEvent(data: [], metadata: [
            "timeZone": schedule.hasExplicitTimeZone ? schedule.timeZone.identifier : "Local",
            "readTimeUTC": CronTimeText.goUTC(wallClock()),
            "scheduledTime": CronTimeText.rfc3339(scheduledAt),
        ])
        return state.withLock { state -> Firing in
            if state.stopped { return .stopped }
            if state.handlerRunning { return .skipped }
            state.handlerRunning = true
            counters.start()
            state.handlerTask = Task { await self.deliver(event) }
            return .started
        }
    }

    private func deliver(_ event: BindingEvent) async {
        do {
            try await handler(event)
        } catch {
            let scheduled = event.metadata["scheduledTime"] ?? "?"
            logger.warning("cron firing at \(scheduled) failed and is not delivered again: \(error)")
        }
        state.withLock { $0.handlerRunning = false }
        counters.end()
    }
}
