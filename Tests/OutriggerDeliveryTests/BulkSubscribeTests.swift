import OutriggerCore
import OutriggerDelivery
import OutriggerTesting
import Synchronization
import Testing

@Suite("Bulk subscribe")
struct BulkSubscribeTests {
    func spec(count: Int, awaitMs: Int) -> SubscriptionSpec {
        SubscriptionSpec(
            pubsubName: "pubsub", topic: "orders", defaultRoute: "/bulk",
            bulkSubscribe: .init(enabled: true, maxMessagesCount: count, maxAwaitDuration: .milliseconds(awaitMs)),
            source: .app)
    }

    func deliverAll(_ fixture: PipelineFixture, ids: [String]) async -> [FakePubSub.Outcome] {
        await withTaskGroup(of: FakePubSub.Outcome.self) { group in
            for id in ids { group.addTask { await fixture.deliver(id: id) } }
            var outcomes: [FakePubSub.Outcome] = []
            for await outcome in group { outcomes.append(outcome) }
            return outcomes
        }
    }

    @Test("a full batch leaves at once, without waiting for the timer")
    func countFlush() async throws {
        // The clock never moves: only the count can release the batch.
        let clock = TestClock()
        let fixture = try await PipelineFixture(spec: spec(count: 3, awaitMs: 60_000), clock: clock.erased)
        let outcomes = try await withDeadline(.seconds(60), "a full batch") { await deliverAll(fixture, ids: ["a", "b", "c"]) }
        #expect(outcomes == [.acked, .acked, .acked])
        #expect(fixture.app.batchSizes == [3])
    }

    @Test("a partial batch leaves when the await time is up")
    func timerFlush() async throws {
        // The real clock, with an await time long enough that both deliveries (started
        // together) reach the batch before it on a loaded CI box.
        let fixture = try await PipelineFixture(spec: spec(count: 100, awaitMs: 1000))
        let outcomes = await deliverAll(fixture, ids: ["a", "b"])
        #expect(outcomes == [.acked, .acked])
        #expect(fixture.app.batchSizes == [2])
    }

    @Test("each entry follows its own answer: RETRY joins a later batch, DROP is not retried")
    func perEntryStatuses() async throws {
        // The first batch leaves by count; the retried entry waits out the await time alone
        // (1 s of the real clock: no other entry can arrive meanwhile).
        let fixture = try await PipelineFixture(spec: spec(count: 3, awaitMs: 1000)) { event, attempt in
            switch event.event.id {
            case "retry-once": attempt == 1 ? .retry("app answered RETRY") : .success
            case "drop": .drop("app answered DROP")
            default: .success
            }
        }
        let outcomes = await deliverAll(fixture, ids: ["ok", "retry-once", "drop"])
        #expect(outcomes == [.acked, .acked, .acked])
        #expect(fixture.app.attempts(of: "retry-once") == 2)
        #expect(fixture.app.attempts(of: "drop") == 1)
        #expect(fixture.app.batchSizes == [3, 1])
        #expect(fixture.subscription.counters.snapshot.dropped == 1)
        #expect(fixture.subscription.counters.snapshot.delivered == 2)
    }

    @Test("the await timer restarts after a count-triggered flush")
    func timerRestarts() async throws {
        let clock = TestClock()
        let fixture = try await PipelineFixture(spec: spec(count: 2, awaitMs: 300), clock: clock.erased)
        let first = try await withDeadline(.seconds(60), "a full batch") { await deliverAll(fixture, ids: ["a", "b"]) }
        #expect(first == [.acked, .acked])
        for _ in 0..<2 { _ = await fixture.app.nextDelivery(within: .seconds(60)) }
        await clock.sleepers(atLeast: 1)  // the timer "a" started
        clock.advance(by: .milliseconds(200))
        async let last = fixture.deliver(id: "c")
        await clock.sleepers(atLeast: 2)  // ... and the one "c" started, due at 500 ms
        clock.advance(by: .milliseconds(100))
        // At 300 ms only the old timer fires, and it must not take "c" (the clock stands still
        // now, so a correct aggregator never delivers "c" in this window).
        #expect(await fixture.app.nextDelivery(within: .milliseconds(300)) == nil)
        clock.advance(by: .milliseconds(200))
        #expect(await last == .acked)
        #expect(fixture.app.batchSizes == [2, 1])
    }

    @Test("bulk answers are read per entry", arguments: [
        (200, #"{"statuses":[{"entryId":"1","status":"SUCCESS"},{"entryId":"2","status":"DROP"}]}"#, ["1": AppAnswer.success, "2": .drop("app answered DROP"), "3": nil]),
        (200, "", ["1": .success, "2": .success, "3": .success]),
        (404, "", ["1": .drop("app answered HTTP 404"), "2": .drop("app answered HTTP 404"), "3": .drop("app answered HTTP 404")]),
        (500, "", ["1": .retry("app answered HTTP 500"), "2": .retry("app answered HTTP 500"), "3": .retry("app answered HTTP 500")]),
    ])
    func bulkAnswers(status: Int, body: String, expected: [String: AppAnswer?]) {
        let answers = AppAnswer.fromHTTPBulk(status: status, body: Array(body.utf8), entryIDs: ["1", "2", "3"])
        for (id, answer) in expected { #expect(answers[id] == answer, "entry \(id)") }
    }
}
