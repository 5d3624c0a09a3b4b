import CloudEvents
import OutriggerCore
import OutriggerDelivery
import OutriggerTesting
import Testing

@Suite("Delivery pipeline: acks, retries, drops, dead letters")
struct DeliveryPipelineTests {
    @Test("a successful delivery is acked after one attempt")
    func successAcks() async throws {
        let fixture = try await PipelineFixture()
        #expect(await fixture.deliver() == .acked)
        #expect(fixture.app.attempts(of: "e1") == 1)
        let delivered = try #require(fixture.app.deliveries.first)
        #expect(delivered.path == "/orders")
        #expect(delivered.contentType == "application/cloudevents+json")
        let context = try #require(TraceParent(delivered.traceParent ?? ""), "\(String(describing: delivered.traceParent))")
        let published = try #require(TraceParent(PipelineFixture.traceParent))
        #expect(context.traceIDText == published.traceIDText && context.spanID != published.spanID, "the attempt is a child span in the event's trace")
        #expect(fixture.subscription.counters.snapshot.delivered == 1)
    }

    @Test("RETRY answers are retried until the app succeeds, then acked")
    func retryThenSuccess() async throws {
        let fixture = try await PipelineFixture { _, attempt in attempt < 3 ? .retry("busy") : .success }
        #expect(await fixture.deliver() == .acked)
        #expect(fixture.app.attempts(of: "e1") == 3)
        #expect(fixture.subscription.counters.snapshot.retried == 2)
    }

    @Test("transport errors are retried like RETRY")
    func errorsRetry() async throws {
        struct Refused: Error {}
        let fixture = try await PipelineFixture { _, attempt in
            if attempt == 1 { throw Refused() }
            return .success
        }
        #expect(await fixture.deliver() == .acked)
        #expect(fixture.app.attempts(of: "e1") == 2)
    }

    @Test("exhausted retries without a dead-letter topic nack the message with exact attempts")
    func exhaustedNacks() async throws {
        let fixture = try await PipelineFixture { _, _ in .retry("always") }
        let outcome = await fixture.deliver()
        guard case .nacked(let reason) = outcome else {
            Issue.record("expected a nack, got \(outcome)")
            return
        }
        #expect(reason.contains("3 attempts"))
        #expect(fixture.app.attempts(of: "e1") == 3)
        #expect(fixture.subscription.counters.snapshot.nacked == 1)
        #expect(fixture.broker.published.isEmpty)
    }

    @Test("DROP and 404 are acked after one attempt and counted")
    func dropAcks() async throws {
        let fixture = try await PipelineFixture { _, _ in .drop("app answered DROP") }
        #expect(await fixture.deliver() == .acked)
        #expect(fixture.app.attempts(of: "e1") == 1)
        #expect(fixture.subscription.counters.snapshot.dropped == 1)
        #expect(fixture.subscription.counters.snapshot.delivered == 0)
    }

    @Test("after retries the original event goes to the dead-letter topic with why, then is acked")
    func deadLetter() async throws {
        let spec = SubscriptionSpec(pubsubName: "pubsub", topic: "orders", defaultRoute: "/orders", deadLetterTopic: "orders-dead", source: .app)
        let fixture = try await PipelineFixture(spec: spec) { _, _ in .retry("app answered RETRY") }
        #expect(await fixture.deliver(id: "dl-1") == .acked)
        let dead = try #require(fixture.broker.published.first)
        #expect(dead.topic == "orders-dead")
        let event = try CloudEvent(structured: dead.data)
        #expect(event.id == "dl-1")
        #expect(event.data == .json(Array(#"{"item":"paddle"}"#.utf8)))
        #expect(event.extensions["deadletterreason"] == .string("app answered RETRY"))
        #expect(event.extensions["deadletterattempts"] == .number("3"))
        #expect(event.extensions["deadlettertopic"] == .string("orders"))
        #expect(fixture.subscription.counters.snapshot.deadLettered == 1)
    }

    @Test("a failed dead-letter publish nacks the original so it is not lost")
    func deadLetterFailureKeepsOriginal() async throws {
        let spec = SubscriptionSpec(pubsubName: "pubsub", topic: "orders", defaultRoute: "/orders", deadLetterTopic: "orders-dead", source: .app)
        let fixture = try await PipelineFixture(spec: spec) { _, _ in .retry("no") }
        fixture.broker.failPublishes("broker down")
        let outcome = await fixture.deliver()
        guard case .nacked(let reason) = outcome else {
            Issue.record("expected a nack, got \(outcome)")
            return
        }
        #expect(reason.contains("orders-dead"))
        #expect(fixture.subscription.counters.snapshot.deadLettered == 0)
    }

    @Test("an expired event is acked without reaching the app")
    func expiredIsDropped() async throws {
        let fixture = try await PipelineFixture()
        #expect(await fixture.deliver(expiration: "2020-01-01T00:00:00Z") == .acked)
        #expect(fixture.app.deliveries.isEmpty)
        #expect(fixture.subscription.counters.snapshot.expired == 1)
        #expect(await fixture.deliver(id: "fresh", expiration: "2999-01-01T00:00:00Z") == .acked)
        #expect(fixture.app.attempts(of: "fresh") == 1)
    }

    @Test("routing rules pick the first matching path, else the default, else the event is dropped")
    func routing() async throws {
        let spec = SubscriptionSpec(
            pubsubName: "pubsub", topic: "orders",
            rules: [
                .init(match: #"event.data.priority == "high""#, path: "/urgent"),
                .init(match: #"event.data.item.startsWith("pad")"#, path: "paddles"),
            ],
            defaultRoute: nil, source: .app)
        let fixture = try await PipelineFixture(spec: spec)
        #expect(await fixture.deliver(id: "a", json: #"{"priority":"high","item":"paddle"}"#) == .acked)
        #expect(await fixture.deliver(id: "b", json: #"{"priority":"low","item":"paddle"}"#) == .acked)
        #expect(await fixture.deliver(id: "c", json: #"{"priority":"low","item":"canoe"}"#) == .acked)
        #expect(fixture.app.deliveries.map(\.path) == ["/urgent", "/paddles"])
        #expect(fixture.subscription.counters.snapshot.unrouted == 1)
    }

    @Test("a bad match expression fails the subscription with its position")
    func badRule() async throws {
        let spec = SubscriptionSpec(pubsubName: "pubsub", topic: "orders", rules: [.init(match: "event.type ==", path: "/x")], source: .app)
        #expect(throws: SubscriptionError.self) {
            _ = try ActiveSubscription(spec: spec, policy: .default)
        }
    }

    @Test("a payload that is not a CloudEvent is delivered wrapped, with data_base64")
    func nonCloudEventWrapped() async throws {
        let fixture = try await PipelineFixture()
        #expect(await fixture.broker.deliver(Array("plain bytes".utf8), topic: "orders") == .acked)
        let delivered = try #require(fixture.app.deliveries.first)
        #expect(delivered.event.data == .binary(Array("plain bytes".utf8)))
        #expect(delivered.event.dataContentType == "application/octet-stream")
    }

    @Test("a rawPayload subscription wraps even a CloudEvent-looking payload")
    func rawPayloadSubscription() async throws {
        let spec = SubscriptionSpec(pubsubName: "pubsub", topic: "orders", defaultRoute: "/raw", metadata: ["rawPayload": "true"], source: .app)
        let fixture = try await PipelineFixture(spec: spec)
        let bytes = Array(#"{"specversion":"1.0","id":"x","source":"s","type":"t"}"#.utf8)
        #expect(await fixture.broker.deliver(bytes, topic: "orders") == .acked)
        let delivered = try #require(fixture.app.deliveries.first)
        #expect(delivered.event.data == .binary(bytes))
        #expect(delivered.event.id != "x")
    }

    @Test("a per-attempt timeout turns a hanging app into a retry")
    func attemptTimeout() async throws {
        let clock = TestClock()
        let policy = DeliveryPolicy(backoff: .constant(.zero), maxRetries: 1, attemptTimeout: .seconds(5))
        let fixture = try await PipelineFixture(policy: policy, clock: clock.erased) { _, attempt in
            if attempt == 1 { try await Task.sleep(for: .seconds(3600)) }
            return .success
        }
        async let outcome = fixture.deliver()
        await clock.sleepers(atLeast: 1)
        clock.advance(by: .seconds(5))
        #expect(await outcome == .acked)
        #expect(fixture.app.attempts(of: "e1") == 2)
    }
}
