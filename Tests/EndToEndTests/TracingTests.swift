import Foundation
import Testing

/// W3C trace context through the sidecar, and spans exported over OTLP when the Configuration
/// given with `--config` asks for them.
@Suite("Tracing", .timeLimit(.minutes(1)))
struct TracingTests {
    static let callerTrace = "4bf92f3577b34da6a3ce929d0e0e4736"
    static let callerSpan = "00f067aa0ba902b7"

    /// A Configuration that exports every span over OTLP/HTTP to `port`.
    static func exportingConfiguration(port: Int) -> String {
        """
        apiVersion: dapr.io/v1alpha1
        kind: Configuration
        metadata:
          name: tracing
        spec:
          tracing:
            samplingRate: "1"
            otel:
              endpointAddress: "127.0.0.1:\(port)"
              isSecure: false
              protocol: http
        """
    }

    /// One exported span, read from OTLP/JSON.
    struct ExportedSpan: Equatable, CustomStringConvertible {
        var name: String
        var kind: String
        var traceID: String
        var spanID: String
        var parentSpanID: String

        var description: String { "\(name) [\(kind)] \(traceID)/\(spanID) parent \(parentSpanID)" }
    }

    /// The spans in OTLP/JSON export requests. Ids are hex in OTLP/JSON and base64 in the
    /// generic protobuf JSON mapping; both are read.
    static func spans(in requests: [ReceivedRequest]) -> [ExportedSpan] {
        var found: [ExportedSpan] = []
        for request in requests {
            for resource in request.json?["resourceSpans"]?.array ?? [] {
                for scope in resource["scopeSpans"]?.array ?? [] {
                    for span in scope["spans"]?.array ?? [] {
                        found.append(ExportedSpan(
                            name: span["name"]?.string ?? "", kind: span["kind"]?.string ?? span["kind"]?.number.map { String(Int($0)) } ?? "",
                            traceID: hex(span["traceId"]?.string), spanID: hex(span["spanId"]?.string),
                            parentSpanID: hex(span["parentSpanId"]?.string)))
                    }
                }
            }
        }
        return found
    }

    static func hex(_ text: String?) -> String {
        guard let text, !text.isEmpty else { return "" }
        if text.count % 16 == 0, text.allSatisfy(\.isHexDigit) { return text.lowercased() }
        guard let bytes = Data(base64Encoded: text) else { return text }
        return bytes.map { String(format: "%02x", $0) }.joined()
    }

    @Test("a publish without traceparent starts a trace: the app receives a traceparent header naming the envelope's trace")
    func startsTrace() async throws {
        let resources = ["pubsub.yaml": YAML.pubsub(), "orders.yaml": YAML.subscriptionV1(name: "orders", topic: "orders", route: "/orders")]
        try await withSidecar(SidecarOptions(resources: resources)) { sidecar, app in
            try await sidecar.mustPublish(topic: "orders", json: #"{"n": 1}"#)
            let delivered = try #require(try await app.waitFor("/orders").first)
            let header = try #require(delivered.headers["traceparent"], "no traceparent header: \(delivered.headers)")
            let envelope = try #require(delivered.json?["traceparent"]?.string)
            let headerParts = header.split(separator: "-")
            let envelopeParts = envelope.split(separator: "-")
            #expect(headerParts.count == 4 && envelopeParts.count == 4, "\(header) / \(envelope)")
            #expect(headerParts[1] == envelopeParts[1], "the delivery continues the envelope's trace")
            #expect(headerParts[2] != envelopeParts[2], "the delivery attempt is a span of its own")
            #expect(headerParts[1] != String(repeating: "0", count: 32))
        }
    }

    @Test("with spec.tracing.otel, the publish and the delivery are exported over OTLP as parent and child of the caller's span")
    func exportsSpans() async throws {
        // An OTLP/HTTP receiver: it answers an empty ExportTraceServiceResponse.
        let collector = try await TestApp.start { _ in .status(200, body: "{}") }
        let config = try ResourceFolder(["config.yaml": Self.exportingConfiguration(port: collector.port)])
        defer { config.remove() }
        let resources = ["pubsub.yaml": YAML.pubsub(), "orders.yaml": YAML.subscriptionV1(name: "orders", topic: "orders", route: "/orders")]
        let options = SidecarOptions(
            resources: resources, extraArguments: ["--config", config.path + "/config.yaml"],
            environment: ["OTEL_EXPORTER_OTLP_TRACES_PROTOCOL": "http/json", "OTEL_BSP_SCHEDULE_DELAY": "100"])
        try await withSidecar(options) { sidecar, app in
            let caller = "00-\(Self.callerTrace)-\(Self.callerSpan)-01"
            let published = try await sidecar.publish(topic: "orders", json: #"{"n": 1}"#, headers: [("traceparent", caller)])
            #expect(published.status == 204, "\(published.text)")
            let delivered = try #require(try await app.waitFor("/orders").first)
            let appHeader = try #require(delivered.headers["traceparent"])
            #expect(appHeader.split(separator: "-")[1] == Self.callerTrace[...], "the app saw the caller's trace id: \(appHeader)")

            let deadline = ContinuousClock.now + .seconds(20)
            var spans: [ExportedSpan] = []
            while ContinuousClock.now < deadline {
                spans = Self.spans(in: collector.received("/v1/traces"))
                if spans.contains(where: { $0.name == "process orders" }) && spans.contains(where: { $0.name == "publish orders" }) { break }
                try await Task.sleep(for: .milliseconds(100))
            }
            let publish = try #require(
                spans.first { $0.name == "publish orders" }, "exported: \(spans); received: \(collector.requests.value)\n\(sidecar.logTail)")
            let process = try #require(spans.first { $0.name == "process orders" }, "exported: \(spans)")
            #expect(publish.traceID == Self.callerTrace && process.traceID == Self.callerTrace, "\(spans)")
            #expect(publish.parentSpanID == Self.callerSpan, "the publish span is the caller's child: \(publish)")
            #expect(process.parentSpanID == publish.spanID, "the delivery span is the publish span's child: \(process) / \(publish)")
            #expect(appHeader.split(separator: "-")[2] == process.spanID[...], "the app's traceparent names the delivery span")
            #expect(publish.kind.contains("PRODUCER") || publish.kind == "4", "\(publish)")
            #expect(process.kind.contains("CONSUMER") || process.kind == "5", "\(process)")
        }
        await collector.stop()
    }

    @Test("an output binding call continues the caller's trace: the binding receives a traceparent in the same trace")
    func bindingContinuesTrace() async throws {
        let target = try await TestApp.start()
        let binding = """
            apiVersion: dapr.io/v1alpha1
            kind: Component
            metadata:
              name: webhook
            spec:
              type: bindings.http
              version: v1
              metadata:
                - name: url
                  value: "http://127.0.0.1:\(target.port)/hook"
            """
        try await withSidecar(SidecarOptions(resources: ["webhook.yaml": binding], connectApp: false)) { sidecar, _ in
            let caller = "00-\(Self.callerTrace)-\(Self.callerSpan)-01"
            let answer = try await HTTP.request(
                "POST", sidecar.baseURL + "/v1.0/bindings/webhook", body: Array(#"{"operation": "post", "data": {"a": 1}}"#.utf8),
                headers: [("traceparent", caller)])
            #expect(answer.status / 100 == 2, "\(answer.text)")
            let hook = try #require(try await target.waitFor("/hook").first)
            let header = try #require(hook.headers["traceparent"], "\(hook.headers)")
            let parts = header.split(separator: "-")
            #expect(parts[1] == Self.callerTrace[...] && parts[2] != Self.callerSpan[...], "\(header)")
        }
        await target.stop()
    }
}
