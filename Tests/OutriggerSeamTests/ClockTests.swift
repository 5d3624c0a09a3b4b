import OutriggerSeam
import OutriggerTesting
import Testing

@Suite("Test clock and AnyClock")
struct ClockTests {
    /// Starts `body` in the background; the returned mailbox gets its outcome.
    private func inBackground<T: Sendable>(_ body: @escaping @Sendable () async throws -> T) -> Mailbox<Result<T, any Error>> {
        let outcome = Mailbox<Result<T, any Error>>()
        Task {
            do { outcome.send(.success(try await body())) } catch { outcome.send(.failure(error)) }
        }
        return outcome
    }

    private func sleepers(_ count: Int, on clock: TestClock) async throws {
        try await withDeadline(eventDeadline, "\(count) sleepers") { await clock.sleepers(atLeast: count) }
    }

    @Test("a sleeper wakes only when time is advanced to its deadline")
    func sleeperWakesAtDeadline() async throws {
        let clock = TestClock()
        let slept = inBackground { try await clock.sleep(for: .seconds(5)) }
        try await sleepers(1, on: clock)

        clock.advance(by: .seconds(4))
        #expect(clock.sleeperCount == 1)
        #expect(slept.unread.isEmpty)
        clock.advance(by: .seconds(1))
        try await slept.receive("the sleeper to wake").get()
        #expect(clock.sleeperCount == 0)
    }

    @Test("sleeping until a deadline already passed returns at once")
    func pastDeadline() async throws {
        let clock = TestClock()
        clock.advance(by: .seconds(10))
        try await withDeadline(eventDeadline, "a sleep into the past") {
            try await clock.sleep(until: TestClock.Instant(offset: .seconds(5)))
        }
        #expect(clock.sleeperCount == 0)
    }

    @Test("a cancelled sleeper wakes with CancellationError")
    func cancelledSleeper() async throws {
        let clock = TestClock()
        let task = Task { try await clock.sleep(for: .seconds(5)) }
        try await sleepers(1, on: clock)

        task.cancel()
        let outcome = try await completes("the cancelled sleeper to wake") { await task.result }
        #expect(throws: CancellationError.self) { try outcome.get() }
        #expect(clock.sleeperCount == 0)
    }

    @Test("a task already cancelled does not fall asleep")
    func alreadyCancelled() async throws {
        let clock = TestClock()
        let outcome = try await completes("the sleep to end") { () -> Result<Void, any Error> in
            withUnsafeCurrentTask { $0?.cancel() }
            do { return .success(try await clock.sleep(for: .seconds(5))) } catch { return .failure(error) }
        }
        #expect(throws: CancellationError.self) { try outcome.get() }
        #expect(clock.sleeperCount == 0)
    }

    @Test("sleepers(atLeast:) returns once that many tasks sleep")
    func sleepersCount() async throws {
        let clock = TestClock()
        let first = inBackground { try await clock.sleep(for: .seconds(1)) }
        let second = inBackground { try await clock.sleep(for: .seconds(2)) }
        try await sleepers(2, on: clock)
        #expect(clock.sleeperCount == 2)

        clock.advance(by: .seconds(2))
        try await first.receive("the first sleeper").get()
        try await second.receive("the second sleeper").get()
    }

    @Test("waiting for sleepers that never come fails at the deadline instead of hanging")
    func sleepersHonourCancellation() async throws {
        let clock = TestClock()
        let gaveUp = try await completes("withDeadline to give up") { () -> Bool in
            do {
                try await withDeadline(.milliseconds(50), "a sleeper that never comes") { await clock.sleepers(atLeast: 1) }
                return false
            } catch {
                return error is DeadlineExceeded
            }
        }
        #expect(gaveUp)
    }

    @Test("AnyClock over a test clock reads the test clock's time from the moment it wrapped it")
    func anyClockNow() {
        let clock = TestClock()
        clock.advance(by: .seconds(2))
        let erased = AnyClock(clock)
        #expect(erased.now.offset == .zero)
        clock.advance(by: .seconds(3))
        #expect(erased.now.offset == .seconds(3))
    }

    @Test("AnyClock over a test clock sleeps on the test clock")
    func anyClockSleeps() async throws {
        let clock = TestClock()
        let erased = AnyClock(clock)
        let slept = inBackground { try await erased.sleep(for: .seconds(2)) }
        try await sleepers(1, on: clock)

        clock.advance(by: .seconds(1))
        #expect(clock.sleeperCount == 1)
        clock.advance(by: .seconds(1))
        try await slept.receive("the sleeper to wake").get()
    }

    @Test("withTimeLimit times out on the test clock only once advanced past the limit, cancelling the body")
    func timeLimitOnTestClock() async throws {
        let clock = TestClock()
        let bodyCancelled = Mailbox<Bool>()
        let outcome = inBackground {
            try await withTimeLimit(.seconds(5), clock: clock.erased) {
                do { try await Gate().wait() } catch { bodyCancelled.send(error is CancellationError) }
                return 1
            }
        }
        try await sleepers(1, on: clock)

        clock.advance(by: .milliseconds(4999))
        #expect(clock.sleeperCount == 1)
        #expect(outcome.unread.isEmpty)
        clock.advance(by: .milliseconds(1))
        let result = try await outcome.receive("the time limit to pass")
        #expect(throws: TimeLimitExceeded.self) { try result.get() }
        #expect(try await bodyCancelled.receive("the body to be cancelled") == true)
    }

    @Test("withTimeLimit returns the body's value when it finishes first")
    func timeLimitNotReached() async throws {
        let clock = TestClock()
        let value = try await completes("the body's value") {
            try await withTimeLimit(.seconds(5), clock: clock.erased) { 42 }
        }
        #expect(value == 42)
        #expect(clock.sleeperCount == 0)
    }
}
