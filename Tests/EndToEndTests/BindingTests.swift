import Foundation
import Testing

/// Bindings through the real binary: input bindings calling the app, the output binding API.
@Suite("Bindings", .timeLimit(.minutes(2)))
struct BindingTests {
    static func cron(name: String = "tick", schedule: String = "@every 1s", extra: [String: String] = [:]) -> String {
        var text = """
            apiVersion: dapr.io/v1alpha1
            kind: Component
            metadata:
              name: \(name)
            spec:
              type: bindings.cron
              version: v1
              metadata:
                - name: schedule
                  value: "\(schedule)"

            """
        for (key, value) in extra.sorted(by: { $0.key < $1.key }) {
            text += "    - name: \(key)\n      value: \(YAML.quoted(value))\n"
        }
        return text
    }

    static func localStorage(name: String = "files", root: String) -> String {
        """
        apiVersion: dapr.io/v1alpha1
        kind: Component
        metadata:
          name: \(name)
        spec:
          type: bindings.localstorage
          version: v1
          metadata:
            - name: rootPath
              value: \(YAML.quoted(root))
        """
    }

    static func inboundRetry(component: String, maxRetries: Int) -> String {
        """
        apiVersion: dapr.io/v1alpha1
        kind: Resiliency
        metadata:
          name: bindings-resiliency
        spec:
          policies:
            retries:
              quick:
                policy: constant
                duration: 50ms
                maxRetries: \(maxRetries)
          targets:
            components:
              \(component):
                inbound:
                  retry: quick
        """
    }

    @Test("OPTIONS probe: an app answering 200 or 405 gets the events at POST /{route}")
    func probeAccepted() async throws {
        let resources = ["tick.yaml": Self.cron(extra: ["route": "/ticks"]), "other.yaml": Self.cron(name: "other")]
        let script: TestApp.Script = { request in
            switch (request.method, request.path) {
            case ("OPTIONS", "/ticks"): .status(200)
            case ("OPTIONS", "/other"): .status(405)
            default: .emptyOK
            }
        }
        try await withSidecar(SidecarOptions(resources: resources), script: script) { sidecar, app in
            let ticks = try await app.waitFor("/ticks", count: 2, timeout: .seconds(10))
            #expect(ticks.first?.headers["readtimeutc"] != nil, "\(ticks.first?.headers ?? [:])")
            _ = try await app.waitFor("/other", timeout: .seconds(10))
            #expect(app.received("/ticks", method: "OPTIONS").count == 1)
        }
    }

    @Test("OPTIONS probe: 404 means the app does not want the binding; it is never read")
    func probeRefused() async throws {
        let resources = ["tick.yaml": Self.cron(), "other.yaml": Self.cron(name: "other")]
        let script: TestApp.Script = { request in
            request.method == "OPTIONS" && request.path == "/tick" ? .status(404) : .emptyOK
        }
        try await withSidecar(SidecarOptions(resources: resources), script: script) { sidecar, app in
            // The other binding fires twice: the refused one had the same chances.
            _ = try await app.waitFor("/other", count: 2, timeout: .seconds(10))
            #expect(app.received("/tick").isEmpty)
            #expect(sidecar.logs.contains("not read"), sidecar.comment)
            let metadata = try await sidecar.metadata()
            let read = metadata["inputBindings"]?.array?.compactMap { $0["name"]?.string } ?? []
            #expect(read == ["other"], "\(metadata)")
        }
    }

    @Test("direction: output keeps an input-capable binding from being read")
    func outputOnly() async throws {
        let resources = ["tick.yaml": Self.cron(extra: ["direction": "output"]), "other.yaml": Self.cron(name: "other")]
        try await withSidecar(SidecarOptions(resources: resources)) { sidecar, app in
            _ = try await app.waitFor("/other", count: 2, timeout: .seconds(10))
            #expect(app.received("/tick").isEmpty)
            #expect(app.received("/tick", method: "OPTIONS").isEmpty)
        }
    }

    @Test("a failing route is retried per the binding's inbound Resiliency policy, any 2xx ends it")
    func retried() async throws {
        let resources = [
            "tick.yaml": Self.cron(schedule: "@every 1h"),
            "once.yaml": Self.cron(name: "once", schedule: "@every 2s"),
            "resiliency.yaml": Self.inboundRetry(component: "once", maxRetries: 3),
        ]
        // The first event of `once` fails twice with 500, then the app takes it (204).
        let script: TestApp.Script = { request in
            guard request.method == "POST", request.path == "/once" else { return .emptyOK }
            return request.attempt <= 2 ? .status(500) : .status(204)
        }
        try await withSidecar(SidecarOptions(resources: resources), script: script) { sidecar, app in
            let attempts = try await app.waitFor("/once", count: 3, timeout: .seconds(10))
            #expect(attempts.prefix(3).map(\.attempt) == [1, 2, 3])
            let metadata = try await sidecar.metadata()
            let once = metadata["inputBindings"]?.array?.first { $0["name"]?.string == "once" }
            #expect(once?["deliveries"]?["retried"]?.number ?? 0 >= 2, "\(metadata)")
        }
    }

    @Test("the output binding API: create, get, list and delete through POST /v1.0/bindings/{name}")
    func outputRoundTrip() async throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("outrigger-e2e-files-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: root) }
        try await withSidecar(SidecarOptions(resources: ["files.yaml": Self.localStorage(root: root)])) { sidecar, _ in
            let created = try await sidecar.invokeBinding("files", #"{"operation":"create","data":"hello, file","metadata":{"fileName":"notes/a.txt"}}"#)
            #expect(created.status == 200, "\(created.text)")
            #expect(created.json?["fileName"] == "notes/a.txt")
            #expect(try String(contentsOfFile: root + "/notes/a.txt", encoding: .utf8) == "hello, file")
            let read = try await sidecar.invokeBinding("files", #"{"operation":"get","metadata":{"fileName":"notes/a.txt"}}"#)
            #expect(read.status == 200 && read.text == "hello, file", "\(read.status) \(read.text)")
            let listed = try await sidecar.invokeBinding("files", #"{"operation":"list"}"#)
            #expect(listed.status == 200 && listed.text.contains("a.txt"), "\(listed.text)")
            let deleted = try await sidecar.invokeBinding("files", #"{"operation":"delete","metadata":{"fileName":"notes/a.txt"}}"#)
            #expect(deleted.status == 204, "\(deleted.status) \(deleted.text)")
            #expect(!FileManager.default.fileExists(atPath: root + "/notes/a.txt"))
        }
    }

    @Test("output binding errors: unknown binding 500, unsupported operation and traversal 400, missing file 500, bad body 400")
    func outputErrors() async throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("outrigger-e2e-files-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: root) }
        try await withSidecar(SidecarOptions(resources: ["files.yaml": Self.localStorage(root: root)])) { sidecar, _ in
            let unknown = try await sidecar.invokeBinding("nope", #"{"operation":"create"}"#)
            #expect(unknown.status == 500 && unknown.json?["errorCode"] == "ERR_INVOKE_OUTPUT_BINDING", "\(unknown.text)")
            #expect(unknown.text.contains("couldn't find output binding nope"))
            let unsupported = try await sidecar.invokeBinding("files", #"{"operation":"exec"}"#)
            #expect(unsupported.status == 400, "\(unsupported.text)")
            #expect(unsupported.text.contains("supported operations: create get list delete"), "\(unsupported.text)")
            let escape = try await sidecar.invokeBinding("files", #"{"operation":"create","data":"x","metadata":{"fileName":"../../escape.txt"}}"#)
            #expect(escape.status == 400, "\(escape.text)")
            let missing = try await sidecar.invokeBinding("files", #"{"operation":"get","metadata":{"fileName":"none.txt"}}"#)
            #expect(missing.status == 500 && missing.json?["errorCode"] == "ERR_INVOKE_OUTPUT_BINDING", "\(missing.text)")
            let malformed = try await sidecar.invokeBinding("files", "{not json")
            #expect(malformed.status == 400 && malformed.json?["errorCode"] == "ERR_MALFORMED_REQUEST", "\(malformed.text)")
        }
    }

    @Test("/v1.0/metadata lists bindings with their capabilities and operations")
    func metadata() async throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("outrigger-e2e-files-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: root) }
        let resources = ["files.yaml": Self.localStorage(root: root), "tick.yaml": Self.cron(schedule: "@every 1h")]
        try await withSidecar(SidecarOptions(resources: resources)) { sidecar, _ in
            let components = try await sidecar.metadata()["components"]?.array ?? []
            let files = components.first { $0["name"]?.string == "files" }
            #expect(files?["capabilities"] == ["OUTPUT_BINDING"], "\(components)")
            #expect(files?["operations"] == ["create", "get", "list", "delete"], "\(components)")
            let tick = components.first { $0["name"]?.string == "tick" }
            #expect(tick?["capabilities"] == ["INPUT_BINDING"], "\(components)")
        }
    }
}

extension SidecarProcess {
    /// `POST /v1.0/bindings/{name}` with `body`.
    func invokeBinding(_ name: String, _ body: String) async throws -> HTTP.Result {
        try await HTTP.request("POST", baseURL + "/v1.0/bindings/\(name)", body: Array(body.utf8), headers: [("content-type", "application/json")])
    }
}
