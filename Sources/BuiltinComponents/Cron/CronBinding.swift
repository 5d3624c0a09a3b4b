import Logging
import OutriggerCore
import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// `bindings.cron`: an input binding that sends the app an event on a schedule.
///
/// Metadata: `schedule` (required), in any form ``CronSchedule`` accepts (`*/15 * * * *`,
/// `0 30 9 * * MON-FRI`, `@daily`, `@every 1m30s`, `CRON_TZ=Europe/Berlin 0 0 8 * * *`). Calendar
/// fields are read in the sidecar's local time zone (UTC in containers) unless the schedule
/// names one, as Dapr does. `direction` and `route` may be present; the runtime reads them.
///
/// Each firing calls the handler with an empty body and the metadata `timeZone`, `readTimeUTC`
/// (Dapr's two fields) and `scheduledTime` (RFC 3339, UTC). A firing whose handler throws is
/// over: cron does not deliver it again. Runs never overlap: a firing that comes while the
/// previous handler is still running is skipped, logged and counted in ``skippedFirings``.
///
/// Time is measured on two clocks: the next firing is computed from the wall clock
/// (`wallClock`, the Unix time), and the wait until then is slept on `clock`, so a test moves
/// both with one `TestClock`.
public final class CronBinding: InputBinding {
    /// Reads the wall clock: the current Unix time (duration since 1970-01-01T00:00:00Z).
    public typealias WallClock = @Sendable () -> Duration

    /// The registry entry for `bindings.cron`.
    public static let descriptor = ComponentDescriptor(
        type: "bindings.cron",
        summary: "Sends the app an event on a cron schedule"
    ) { metadata in
        try CronBinding(metadata: metadata)
    }

    /// The system's real-time clock.
    public static let systemTime: WallClock = {
        var now = timespec()
        clock_gettime(CLOCK_REALTIME, &now)
        return .seconds(Int64(now.tv_sec)) + .nanoseconds(Int64(now.tv_nsec))
    }

    private struct State {
        var closed = false
        var reads: [ObjectIdentifier: ConsumerDriver<BindingEvent>] = [:]
    }

    /// The component's `metadata.name`.
    public let name: String
    /// The parsed `schedule` metadata.
    public let schedule: CronSchedule
    private let clock: AnyClock
    private let wallClock: WallClock
    private let logger: Logger
    private let counters = CronFirings.Counters()
    private let state = Mutex(State())

    /// Reads `schedule` from `metadata`; a missing or malformed one throws, naming the field and
    /// what is wrong. `localTimeZone` is the zone of schedules without a `CRON_TZ=` prefix.
    public init(
        metadata: ComponentMetadata,
        clock: AnyClock = .continuous,
        wallClock: @escaping WallClock = CronBinding.systemTime,
        localTimeZone: CronTimeZone = .local,
        logger: Logger = Logger(label: "outrigger.bindings.cron")
    ) throws(ComponentConfigurationError) {
        let text = try metadata.required("schedule")
        do {
            schedule = try CronSchedule(parsing: text, localTimeZone: localTimeZone)
        } catch {
            throw ComponentConfigurationError(component: metadata.name, field: "schedule", reason: "is not a valid schedule ('\(text)'): \(error)")
        }
        name = metadata.name
        self.clock = clock
        self.wallClock = wallClock
        var logger = logger
        logger[metadataKey: "component"] = "\(metadata.name)"
        self.logger = logger
    }

    /// Firings skipped because the previous handler was still running, over every `read`.
    public var skippedFirings: Int { counters.skipped }

    /// Firings whose handler was started, over every `read`.
    public var firings: Int { counters.started }

    /// Handlers running now (at most one per `read`); 0 once each has returned or thrown and
    /// the next firing may start.
    public var firingsInProgress: Int { counters.running }

    /// Starts firing, on the shared consumer driver with one handler at a time. The
    /// subscription's `stopPulling` ends the schedule at once (no firing starts after it
    /// returns); `finish` waits for a handler still running. A handler that throws ends its
    /// firing: cron does not deliver it again.
    public func read(handler: @escaping BindingHandler) async throws -> Subscription {
        let firings = CronFirings(schedule: schedule, clock: clock, wallClock: wallClock, counters: counters, logger: logger)
        let driver = ConsumerDriver<BindingEvent>(
            configuration: .init(maxConcurrency: 1), clock: clock, logger: logger,
            handler: { [counters, logger] event in
                counters.start()
                defer { counters.end() }
                do {
                    try await handler(event)
                } catch {
                    logger.warning("cron firing failed and is not delivered again", metadata: [
                        "scheduledTime": "\(event.metadata["scheduledTime"] ?? "?")", "error": "\(error)",
                    ])
                }
            },
            settle: { _ in })
        let id = ObjectIdentifier(driver)
        try state.withLock { state in
            guard !state.closed else { throw ComponentError(.terminal, "cron binding '\(name)' is closed") }
            state.reads[id] = driver
        }
        driver.start { _ in try await firings.next() }
        return Subscription(stopPulling: { driver.stopPulling() }, finish: { [weak self] in
            await driver.finish()
            _ = self?.state.withLock { $0.reads.removeValue(forKey: id) }
        })
    }

    /// Stops every schedule still running and waits for their handlers.
    public func close() async throws {
        let reads = state.withLock { state in
            state.closed = true
            defer { state.reads = [:] }
            return Array(state.reads.values)
        }
        await Subscription.stopAll(reads.map(\.subscription))
    }
}
