import Logging
import OutriggerCore
import OutriggerDelivery
import OutriggerTesting
import Testing

/// Input-binding events go through the pipeline's retry core with binding rules.
@Suite("Input-binding delivery")
struct InputBindingDeliveryTests {
    func pipeline(_ app: RecordingAppChannel, clock: AnyClock = .continuous) -> DeliveryPipeline {
        var logger = Logger(label: "test")
        logger.logLevel = .critical
        return DeliveryPipeline(appID: "tests", channel: app, clock: clock, logger: logger)
    }

    @Test("an event reaches the app at the binding's route with its data and metadata")
    func delivered() async throws {
        let app = RecordingAppChannel()
        let binding = try ActiveBinding(name: "tick", route: "cron-route", policy: .default)
        try await pipeline(app).bindingHandler(for: binding)(BindingEvent(data: Array("x".utf8), metadata: ["k": "v"]))
        let event = try #require(app.bindingEvents.first)
        #expect(event.path == "/cron-route")
        #expect(event.binding == "tick")
        #expect(event.data == Array("x".utf8) && event.metadata["k"] == "v")
        #expect(event.metadata["traceparent"].flatMap(TraceParent.init) != nil, "a trace is started for the event: \(event.metadata)")
        #expect(binding.counters.snapshot.delivered == 1)
    }

    @Test("a failed answer is retried after the policy's backoff on the clock, then succeeds")
    func retried() async throws {
        let clock = TestClock()
        let app = RecordingAppChannel(bindingScript: { _, count in count < 3 ? .retry("app answered HTTP 500") : .success })
        let binding = try ActiveBinding(name: "tick", policy: DeliveryPolicy(backoff: .constant(.seconds(2)), maxRetries: 5), clock: clock.erased)
        let handler = pipeline(app, clock: clock.erased).bindingHandler(for: binding)
        let delivery = Task { try await handler(BindingEvent(data: [])) }
        for _ in 0..<2 {
            await clock.sleepers(atLeast: 1)
            clock.advance(by: .seconds(2))
        }
        try await withDeadline(.seconds(60), "the third attempt") { try await delivery.value }
        #expect(app.bindingEvents.count == 3)
        #expect(binding.counters.snapshot.retried == 2)
    }

    @Test("when retries run out the handler throws, so the binding can redeliver or skip the event")
    func exhausted() async throws {
        let app = RecordingAppChannel(bindingScript: { _, _ in .retry("app answered HTTP 500") })
        let binding = try ActiveBinding(name: "tick", policy: DeliveryPolicy(backoff: .constant(.zero), maxRetries: 1))
        await #expect(throws: DeliveryFailure.self) { try await pipeline(app).bindingHandler(for: binding)(BindingEvent(data: [])) }
        #expect(app.bindingEvents.count == 2)
    }

    @Test("an HTTP answer to a binding event: 2xx is done whatever the body, anything else is retried")
    func httpRules() {
        #expect(AppAnswer.fromHTTPBinding(status: 200) == .success)
        #expect(AppAnswer.fromHTTPBinding(status: 204) == .success)
        #expect(AppAnswer.fromHTTPBinding(status: 404) == .retry("app answered HTTP 404"))
        #expect(AppAnswer.fromHTTPBinding(status: 500) == .retry("app answered HTTP 500"))
    }

    @Test("the route defaults to the component's name")
    func defaultRoute() throws {
        #expect(try ActiveBinding(name: "tick", policy: .default).path == "/tick")
        #expect(try ActiveBinding(name: "tick", route: "/x", policy: .default).path == "/x")
    }

    @Test("direction and route metadata as Dapr reads them")
    func componentMetadata() {
        func spec(_ items: [(String, String)]) -> ComponentSpec {
            ComponentSpec(
                name: "b", type: "bindings.cron", metadata: items.map { .init(name: $0.0, value: .plain($0.1)) },
                origin: ResourceOrigin(file: "b.yaml", document: 1))
        }
        #expect(spec([]).readsInput)
        #expect(spec([("direction", "input")]).readsInput)
        #expect(spec([("direction", "input, output")]).readsInput)
        #expect(!spec([("direction", "output")]).readsInput)
        #expect(spec([("route", "/r")]).inputRoute == "/r")
        #expect(spec([]).inputRoute == "b")
    }
}
