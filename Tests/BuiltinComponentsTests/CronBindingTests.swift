import BuiltinComponents
import OutriggerCore
import OutriggerTesting
import Synchronization
import Testing

/// A cron binding on a test clock, with a wall clock that moves with it.
private final class CronHarness: Sendable {
    let clock = TestClock()
    /// The wall time when the test clock reads zero.
    let start: Duration
    /// How far the wall clock was set forward (negative: back) on top of the test clock.
    let adjustment = Mutex(Duration.zero)

    init(start: CivilTime) {
        self.start = .seconds(start.secondsSinceEpoch)
    }

    var wallClock: CronBinding.WallClock {
        { [self] in start + clock.now.offset + adjustment.withLock { $0 } }
    }

    /// Sets the wall clock by `change`, as an administrator or NTP would; the test clock stays.
    func setWallClock(by change: Duration) {
        adjustment.withLock { $0 += change }
    }

    func binding(_ schedule: String, extra: [String: String] = [:]) throws -> CronBinding {
        var properties = extra
        properties["schedule"] = schedule
        let metadata = ComponentMetadata(name: "cron-\(Self.uniqueID())", type: "bindings.cron", properties: properties)
        return try CronBinding(metadata: metadata, clock: clock.erased, wallClock: wallClock, localTimeZone: .utc)
    }

    /// Waits until the binding's loop is asleep, then moves both clocks by `duration`.
    func advance(by duration: Duration) async throws {
        try await withDeadline(.seconds(60), "the cron loop to sleep") { [clock] in await clock.sleepers(atLeast: 1) }
        clock.advance(by: duration)
    }

    private static let counter = Atomic<Int>(0)
    private static func uniqueID() -> Int { counter.add(1, ordering: .relaxed).newValue }
}

@Suite("bindings.cron")
struct CronBindingTests {
    private let newYear = CivilTime(year: 2024, month: 1, day: 1)

    @Test("@every 1s fires each time the clock passes the next second, and not before")
    func everySecond() async throws {
        let harness = CronHarness(start: newYear)
        let binding = try harness.binding("@every 1s")
        let events = Inbox<BindingEvent>()
        let subscription = try await binding.read { events.put($0) }
        for second in 1...3 {
            try await harness.advance(by: .milliseconds(999))
            #expect(events.received == second - 1)
            harness.clock.advance(by: .milliseconds(1))
            let event = try await events.next("firing \(second)")
            #expect(event.metadata["scheduledTime"] == "2024-01-01T00:00:0\(second)Z")
        }
        await subscription.cancel()
        #expect(binding.firings == 3)
    }

    @Test("a calendar schedule fires at the wall time it names, with Dapr's metadata and an empty body")
    func calendarFiring() async throws {
        let harness = CronHarness(start: CivilTime(year: 2024, month: 1, day: 31, hour: 23, minute: 59, second: 50))
        let binding = try harness.binding("0 0 0 1 * *")
        let events = Inbox<BindingEvent>()
        let subscription = try await binding.read { events.put($0) }
        try await harness.advance(by: .seconds(9))
        #expect(events.received == 0)
        try await harness.advance(by: .seconds(1))
        let event = try await events.next("the firing at midnight")
        #expect(event.data.isEmpty)
        #expect(event.metadata["scheduledTime"] == "2024-02-01T00:00:00Z")
        #expect(event.metadata["readTimeUTC"] == "2024-02-01 00:00:00 +0000 UTC")
        #expect(event.metadata["timeZone"] == "Local")
        await subscription.cancel()
    }

    @Test("a schedule with CRON_TZ reports that zone in the event's timeZone")
    func explicitZoneMetadata() async throws {
        let harness = CronHarness(start: newYear)
        let binding = try harness.binding("CRON_TZ=Asia/Tokyo * * * * * *")
        let events = Inbox<BindingEvent>()
        let subscription = try await binding.read { events.put($0) }
        try await harness.advance(by: .seconds(1))
        #expect(try await events.next("a firing").metadata["timeZone"] == "Asia/Tokyo")
        await subscription.cancel()
    }

    @Test("a firing that comes while the handler still runs is skipped and counted, never overlapped")
    func slowHandlerSkips() async throws {
        let harness = CronHarness(start: newYear)
        let binding = try harness.binding("@every 1s")
        let gate = Gate()
        let events = Inbox<BindingEvent>()
        let concurrent = Mutex((now: 0, most: 0))
        let subscription = try await binding.read { event in
            concurrent.withLock { $0.now += 1; $0.most = max($0.most, $0.now) }
            events.put(event)
            await gate.wait()
            concurrent.withLock { $0.now -= 1 }
        }
        try await harness.advance(by: .seconds(1))
        _ = try await events.next("the first firing")
        // 00:00:02 and 00:00:03 pass while the handler still runs: nothing waits for them.
        harness.clock.advance(by: .seconds(2))
        #expect(events.received == 1)
        gate.open()
        try await withDeadline(.seconds(60), "the schedule to wait for 00:00:04") { await harness.clock.sleepers(atLeast: 1) }
        #expect(binding.skippedFirings == 2)
        #expect(binding.firings == 1)
        try await harness.advance(by: .seconds(1))
        #expect(try await events.next("the firing after the skips").metadata["scheduledTime"] == "2024-01-01T00:00:04Z")
        await subscription.cancel()
        #expect(concurrent.withLock { $0.most } == 1)
    }

    @Test("once a slow handler returns, the next firing runs again")
    func firingResumesAfterSlowHandler() async throws {
        let harness = CronHarness(start: newYear)
        let binding = try harness.binding("@every 1s")
        let gate = Gate()
        let events = Inbox<BindingEvent>()
        let subscription = try await binding.read { event in
            events.put(event)
            if event.metadata["scheduledTime"] == "2024-01-01T00:00:01Z" { await gate.wait() }
        }
        try await harness.advance(by: .seconds(1))
        _ = try await events.next("the first firing")
        // 00:00:02 passes while the handler still runs.
        harness.clock.advance(by: .seconds(1))
        gate.open()
        try await eventually("the first handler to return") { binding.firingsInProgress == 0 }
        try await harness.advance(by: .seconds(1))
        let event = try await events.next("the firing after the skip")
        #expect(event.metadata["scheduledTime"] == "2024-01-01T00:00:03Z")
        #expect(binding.skippedFirings == 1)
        await subscription.cancel()
    }

    @Test("a handler that throws ends that firing; the schedule goes on and nothing is redelivered")
    func failedHandler() async throws {
        struct Refused: Error {}
        let harness = CronHarness(start: newYear)
        let binding = try harness.binding("@every 1s")
        let events = Inbox<BindingEvent>()
        let subscription = try await binding.read { event in
            events.put(event)
            throw Refused()
        }
        try await harness.advance(by: .seconds(1))
        #expect(try await events.next("the failing firing").metadata["scheduledTime"] == "2024-01-01T00:00:01Z")
        try await eventually("the failed handler to end") { binding.firingsInProgress == 0 }
        try await harness.advance(by: .seconds(1))
        #expect(try await events.next("the next firing").metadata["scheduledTime"] == "2024-01-01T00:00:02Z")
        #expect(binding.firings == 2)
        #expect(binding.skippedFirings == 0)
        await subscription.cancel()
    }

    @Test("a wall clock set forward is noticed within a minute: the first missed firing comes late, the others are dropped")
    func wallClockSetForward() async throws {
        let harness = CronHarness(start: CivilTime(year: 2024, month: 1, day: 1, hour: 0, minute: 30))
        let binding = try harness.binding("0 0 * * * *")
        let events = Inbox<BindingEvent>()
        let subscription = try await binding.read { events.put($0) }
        try await withDeadline(.seconds(60), "the loop to sleep") { await harness.clock.sleepers(atLeast: 1) }
        harness.setWallClock(by: .seconds(2 * 3600))
        harness.clock.advance(by: .seconds(60))
        let late = try await events.next("the late firing")
        #expect(late.metadata["scheduledTime"] == "2024-01-01T01:00:00Z")
        #expect(late.metadata["readTimeUTC"] == "2024-01-01 02:31:00 +0000 UTC")
        // 02:00 was missed too; the next one is 03:00, 29 minutes on.
        for _ in 0..<29 { try await harness.advance(by: .seconds(60)) }
        let next = try await events.next("the firing after the jump")
        #expect(next.metadata["scheduledTime"] == "2024-01-01T03:00:00Z")
        #expect(events.received == 2)
        await subscription.cancel()
    }

    @Test("a wall clock set back does not fire early: the binding waits for the wall time again")
    func wallClockSetBack() async throws {
        let harness = CronHarness(start: CivilTime(year: 2024, month: 1, day: 1, hour: 0, minute: 59, second: 30))
        let binding = try harness.binding("0 0 * * * *")
        let events = Inbox<BindingEvent>()
        let subscription = try await binding.read { events.put($0) }
        try await withDeadline(.seconds(60), "the loop to sleep") { await harness.clock.sleepers(atLeast: 1) }
        harness.setWallClock(by: .seconds(-60))
        try await harness.advance(by: .seconds(30))
        try await harness.advance(by: .seconds(59))
        #expect(events.received == 0)
        try await harness.advance(by: .seconds(1))
        #expect(try await events.next("the firing at wall time 01:00").metadata["scheduledTime"] == "2024-01-01T01:00:00Z")
        await subscription.cancel()
    }

    @Test("stopPulling ends the schedule at once: no firing follows, however far time moves")
    func stopEndsFiring() async throws {
        let harness = CronHarness(start: newYear)
        let binding = try harness.binding("@every 1s")
        let events = Inbox<BindingEvent>()
        let subscription = try await binding.read { events.put($0) }
        try await harness.advance(by: .seconds(1))
        _ = try await events.next("the first firing")
        subscription.stopPulling()
        await subscription.finish()
        harness.clock.advance(by: .seconds(60))
        #expect(harness.clock.sleeperCount == 0)
        #expect(events.received == 1)
        #expect(binding.firings == 1)
    }

    @Test("a subscription stopped before its first firing never fires")
    func stopBeforeFirstFiring() async throws {
        let harness = CronHarness(start: newYear)
        let binding = try harness.binding("@every 1s")
        let events = Inbox<BindingEvent>()
        let subscription = try await binding.read { events.put($0) }
        await subscription.cancel()
        harness.clock.advance(by: .seconds(10))
        #expect(events.received == 0)
        #expect(harness.clock.sleeperCount == 0)
    }

    @Test("finish waits for the handler still running")
    func finishWaitsForHandler() async throws {
        let harness = CronHarness(start: newYear)
        let binding = try harness.binding("@every 1s")
        let gate = Gate()
        let events = Inbox<BindingEvent>()
        let handlerDone = Atomic<Bool>(false)
        let subscription = try await binding.read { event in
            events.put(event)
            await gate.wait()
            handlerDone.store(true, ordering: .sequentiallyConsistent)
        }
        try await harness.advance(by: .seconds(1))
        _ = try await events.next("the firing")
        subscription.stopPulling()
        let finishing = Task {
            await subscription.finish()
            return handlerDone.load(ordering: .sequentiallyConsistent)
        }
        gate.open()
        #expect(await finishing.value)
    }

    @Test("close stops every read of the binding, and a read after close is refused")
    func closeStopsReads() async throws {
        let harness = CronHarness(start: newYear)
        let binding = try harness.binding("@every 1s")
        let events = Inbox<BindingEvent>()
        _ = try await binding.read { events.put($0) }
        _ = try await binding.read { events.put($0) }
        try await withDeadline(.seconds(60), "both loops to sleep") { await harness.clock.sleepers(atLeast: 2) }
        try await binding.close()
        harness.clock.advance(by: .seconds(5))
        #expect(events.received == 0)
        await #expect(throws: ComponentError.self) { _ = try await binding.read { _ in } }
    }

    @Test("a missing schedule is a start-up error naming the field")
    func missingSchedule() {
        let metadata = ComponentMetadata(name: "ticker", type: "bindings.cron", properties: [:])
        #expect {
            _ = try CronBinding(metadata: metadata)
        } throws: { error in
            "\(error)".contains("'schedule'") && "\(error)".contains("required")
        }
    }

    @Test("a malformed schedule is a start-up error naming the metadata field and the cron field")
    func malformedSchedule() {
        let metadata = ComponentMetadata(name: "ticker", type: "bindings.cron", properties: ["schedule": "61 * * * *"])
        #expect {
            _ = try CronBinding(metadata: metadata)
        } throws: { error in
            "\(error)" == "component 'ticker': metadata field 'schedule' is not a valid schedule ('61 * * * *'): minute field '61': 61 in '61' is outside 0-59"
        }
    }

    @Test("direction and route metadata are accepted and left to the runtime")
    func directionAndRoute() throws {
        let harness = CronHarness(start: newYear)
        let binding = try harness.binding("@every 15m", extra: ["direction": "input", "route": "/ticks"])
        #expect(binding.schedule.rule == .every(.seconds(900)))
    }

    @Test("the descriptor builds a cron input binding from component metadata")
    func descriptor() async throws {
        #expect(CronBinding.descriptor.type == "bindings.cron")
        #expect(CronBinding.descriptor.kind == .bindings)
        let component = try await CronBinding.descriptor.make(
            ComponentMetadata(name: "ticker", type: "bindings.cron", properties: ["schedule": "*/15 * * * *"]))
        #expect(component is any InputBinding)
        try await component.close()
    }
}
