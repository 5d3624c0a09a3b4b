import CloudEvents
import OutriggerCore
import OutriggerDelivery
import OutriggerTesting
import Testing

@Suite("Publisher: envelope, errors and outbound retries")
struct PublisherTests {
    func publisher(_ broker: FakePubSub, resiliency: String? = nil) throws -> Publisher {
        var set = ResourceSet()
        if let resiliency { try ResourceLoader.load(text: resiliency, file: "r.yaml", into: &set) }
        let spec = ComponentSpec(name: "pubsub", type: "pubsub.fake", origin: ResourceOrigin(file: "c.yaml", document: 1))
        return Publisher(appID: "orders", components: LoadedComponents([.init(spec: spec, component: broker)]), resiliencies: set.resiliencies)
    }

    func request(_ body: String = #"{"a":1}"#, contentType: String? = "application/json", metadata: [String: String] = [:]) -> Publisher.Request {
        Publisher.Request(pubsubName: "pubsub", topic: "orders", data: Array(body.utf8), contentType: contentType, metadata: metadata)
    }

    @Test("a publish is wrapped in a CloudEvent with the app id as source")
    func wraps() async throws {
        let broker = FakePubSub()
        try await publisher(broker).publish(request(metadata: ["cloudevent.type": "order.created", "ttlInSeconds": "60"]))
        let message = try #require(broker.published.first)
        let event = try CloudEvent(structured: message.data)
        #expect(event.source == "orders")
        #expect(event.type == "order.created")
        #expect(event.topic == "orders" && event.pubsubName == "pubsub")
        #expect(event.data == .json(Array(#"{"a":1}"#.utf8)))
        #expect(event.expiration != nil)
        #expect(message.contentType == "application/cloudevents+json")
    }

    @Test("rawPayload publishes the bytes as they are")
    func raw() async throws {
        let broker = FakePubSub()
        try await publisher(broker).publish(request("not an envelope", contentType: "text/plain", metadata: ["rawPayload": "true"]))
        #expect(broker.published.first?.data == Array("not an envelope".utf8))
    }

    @Test("Dapr's errors for bad requests")
    func errors() async throws {
        let publisher = try publisher(FakePubSub())
        await #expect(throws: PublishError.pubsubNotFound("nope")) {
            try await publisher.publish(Publisher.Request(pubsubName: "nope", topic: "t", data: [], contentType: nil))
        }
        await #expect(throws: PublishError.topicEmpty("pubsub")) {
            try await publisher.publish(Publisher.Request(pubsubName: "pubsub", topic: "", data: [], contentType: nil))
        }
        await #expect(throws: PublishError.self) { try await publisher.publish(request(metadata: ["ttlInSeconds": "soon"])) }
        await #expect(throws: PublishError.self) { try await publisher.publish(request("[1]", contentType: "application/cloudevents+json")) }
    }

    @Test("without an outbound policy a failed publish is tried once")
    func singleAttempt() async throws {
        let broker = FakePubSub()
        broker.failPublishes("down")
        await #expect(throws: PublishError.self) { try await publisher(broker).publish(request()) }
        #expect(broker.publishAttempts == 1)
    }

    @Test("an outbound retry policy retries the publish")
    func outboundRetries() async throws {
        let broker = FakePubSub()
        broker.failPublishes("down")
        let publisher = try publisher(broker, resiliency: """
            apiVersion: dapr.io/v1alpha1
            kind: Resiliency
            metadata: {name: r}
            spec:
              policies: {retries: {quick: {policy: constant, duration: 1ms, maxRetries: 2}}}
              targets: {components: {pubsub: {outbound: {retry: quick}}}}
            """)
        await #expect(throws: PublishError.self) { try await publisher.publish(request()) }
        #expect(broker.publishAttempts == 3)
    }
}
