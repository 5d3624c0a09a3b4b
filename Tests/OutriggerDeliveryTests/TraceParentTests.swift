import CloudEvents
import OutriggerCore
import OutriggerDelivery
import OutriggerTesting
import Synchronization
import Testing

/// W3C `traceparent` parsing, and the context a publish puts in the envelope.
@Suite("Trace context")
struct TraceParentTests {
    static let valid = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"

    @Test("a valid traceparent reads back to the same text")
    func roundTrip() throws {
        let parent = try #require(TraceParent(Self.valid))
        #expect(parent.description == Self.valid)
        #expect(parent.traceIDText == "4bf92f3577b34da6a3ce929d0e0e4736" && parent.spanIDText == "00f067aa0ba902b7")
        #expect(parent.isSampled)
    }

    @Test("invalid headers are refused", arguments: [
        "", "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7", "00-00000000000000000000000000000000-00f067aa0ba902b7-01",
        "00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01", "00-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-01",
        "ff-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01", "00_4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
        "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-extra",
    ])
    func invalid(_ text: String) {
        #expect(TraceParent(text) == nil, "\(text)")
    }

    @Test("a child keeps the trace id and the flags and gets a new span id; a root is a new trace")
    func childAndRoot() throws {
        let parent = try #require(TraceParent(Self.valid))
        let child = parent.child()
        #expect(child.traceIDText == parent.traceIDText && child.flags == parent.flags && child.spanID != parent.spanID)
        let first = TraceParent.root(sampled: false)
        let second = TraceParent.root(sampled: true)
        #expect(first.traceIDText != second.traceIDText && !first.isSampled && second.isSampled)
        #expect(TraceParent(first.description) == first, "a generated context parses back")
    }

    func publisher(_ broker: FakePubSub) -> Publisher {
        let spec = ComponentSpec(name: "pubsub", type: "pubsub.fake", origin: ResourceOrigin(file: "c.yaml", document: 1))
        return Publisher(appID: "orders", components: LoadedComponents([.init(spec: spec, component: broker)]))
    }

    @Test("a publish continues the caller's trace in the envelope with a span of its own; without a caller it starts one")
    func publishContext() async throws {
        let broker = FakePubSub()
        let publisher = publisher(broker)
        try await publisher.publish(Publisher.Request(pubsubName: "pubsub", topic: "t", data: [], contentType: nil, traceParent: Self.valid, traceState: "k=v"))
        try await publisher.publish(Publisher.Request(pubsubName: "pubsub", topic: "t", data: [], contentType: nil))
        let events = try broker.published.map { try CloudEvent(structured: $0.data) }
        #expect(events.count == 2)
        let continued = try #require(TraceParent(events[0].traceParent ?? ""))
        #expect(continued.traceIDText == "4bf92f3577b34da6a3ce929d0e0e4736" && continued.spanIDText != "00f067aa0ba902b7")
        #expect(events[0].traceID == events[0].traceParent && events[0].traceState == "k=v")
        #expect(TraceParent(events[1].traceParent ?? "") != nil, "a new trace was started: \(String(describing: events[1].traceParent))")
    }

    /// Records what it was asked to start, to check the spans the pipeline makes.
    final class Recorder: SpanRecorder {
        struct Started: Sendable { var name: String; var kind: TraceSpanKind; var parent: TraceParent? }
        let started = Mutex<[Started]>([])
        let ended = Mutex<[String?]>([])

        struct Span: RecordedSpan {
            let context: TraceParent
            let recorder: Recorder
            func end(error: String?) { recorder.ended.withLock { $0.append(error) } }
        }

        func start(_ name: String, kind: TraceSpanKind, parent: TraceParent?, traceState: String, attributes: [(String, String)]) -> (any RecordedSpan)? {
            started.withLock { $0.append(Started(name: name, kind: kind, parent: parent)) }
            return Span(context: parent?.child() ?? .root(sampled: true), recorder: self)
        }
    }

    @Test("a failed publish ends its span with the error")
    func failedPublishSpan() async throws {
        let broker = FakePubSub()
        broker.failPublishes("broker down")
        var publisher = publisher(broker)
        let recorder = Recorder()
        publisher.tracer = SidecarTracer(recorder: recorder)
        await #expect(throws: PublishError.self) {
            try await publisher.publish(Publisher.Request(pubsubName: "pubsub", topic: "t", data: [], contentType: nil, traceParent: Self.valid))
        }
        let started = recorder.started.withLock { $0 }
        let ended = recorder.ended.withLock { $0 }
        #expect(started.map(\.name) == ["publish t"] && started.first?.kind == .producer)
        #expect(started.first?.parent == TraceParent(Self.valid))
        #expect(ended.count == 1 && ended.first??.contains("broker down") == true, "\(ended)")
    }
}
