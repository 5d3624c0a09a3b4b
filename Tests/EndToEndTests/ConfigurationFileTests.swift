import Foundation
import Testing

/// What the Dapr `Configuration` given with `--config` changes in a running sidecar.
@Suite("Configuration file (--config)", .timeLimit(.minutes(1)))
struct ConfigurationFileTests {
    static func configuration(_ spec: String) -> String {
        """
        apiVersion: dapr.io/v1alpha1
        kind: Configuration
        metadata:
          name: appconfig
        spec:
        \(spec)
        """
    }

    /// Runs a sidecar with the Configuration `spec` and the resources.
    func withConfiguredSidecar(
        _ spec: String, resources: [String: String] = ["pubsub.yaml": YAML.pubsub()], environment: [String: String] = [:],
        _ body: (SidecarProcess, TestApp) async throws -> Void
    ) async throws {
        let folder = try ResourceFolder(["config.yaml": Self.configuration(spec)])
        defer { folder.remove() }
        let options = SidecarOptions(resources: resources, extraArguments: ["--config", folder.path + "/config.yaml"], environment: environment)
        try await withSidecar(options, body)
    }

    @Test("spec.metrics.enabled: false turns the metrics endpoint off")
    func metricsOff() async throws {
        try await withConfiguredSidecar("  metrics:\n    enabled: false") { sidecar, _ in
            let index = try #require(sidecar.arguments.firstIndex(of: "--metrics-port"))
            let port = sidecar.arguments[index + 1]
            await #expect(throws: (any Error).self, "nothing listens on the metrics port \(port)") {
                _ = try await HTTP.request("GET", "http://127.0.0.1:\(port)/metrics", timeout: .seconds(3))
            }
            #expect(try await HTTP.request("GET", sidecar.baseURL + "/v1.0/healthz").status == 204)
        }
    }

    @Test("spec.secrets.scopes: a denied key answers 403 ERR_PERMISSION_DENIED, an allowed one its value, bulk only the allowed")
    func secretScopes() async throws {
        let spec = """
              secrets:
                scopes:
                  - storeName: env
                    defaultAccess: deny
                    allowedSecrets: ["OUTRIGGER_ALLOWED"]
            """
        let environment = ["OUTRIGGER_ALLOWED": "yes", "OUTRIGGER_HIDDEN": "no"]
        try await withConfiguredSidecar(spec, resources: ["env.yaml": YAML.envSecretStore()], environment: environment) { sidecar, _ in
            let allowed = try await HTTP.request("GET", sidecar.baseURL + "/v1.0/secrets/env/OUTRIGGER_ALLOWED")
            #expect(allowed.json == ["OUTRIGGER_ALLOWED": "yes"], "\(allowed.text)")
            let hidden = try await HTTP.request("GET", sidecar.baseURL + "/v1.0/secrets/env/OUTRIGGER_HIDDEN")
            #expect(hidden.status == 403 && hidden.json?["errorCode"] == "ERR_PERMISSION_DENIED", "\(hidden.text)")
            #expect(!hidden.text.contains("\"no\""))
            let bulk = try await HTTP.request("GET", sidecar.baseURL + "/v1.0/secrets/env/bulk")
            #expect(bulk.json?.keys == ["OUTRIGGER_ALLOWED"], "\(bulk.text)")
        }
    }

    @Test("spec.components.deny: a component of a denied type is not loaded, and the log says why")
    func componentsDeny() async throws {
        let resources = ["pubsub.yaml": YAML.pubsub(), "other.yaml": YAML.pubsub(name: "other")]
        try await withConfiguredSidecar("  components:\n    deny: [\"pubsub.in-memory/v1\"]", resources: resources) { sidecar, _ in
            let components = try await sidecar.metadata()["components"]?.array ?? []
            #expect(components.isEmpty, "\(components)")
            #expect(sidecar.logs.contains("spec.components.deny"), sidecar.comment)
        }
    }

    @Test("a middleware pipeline in the Configuration stops start-up with status 2, naming the file and the field")
    func refusedField() async throws {
        let folder = try ResourceFolder(["config.yaml": Self.configuration("  httpPipeline:\n    handlers:\n      - name: oauth\n        type: middleware.http.oauth2")])
        defer { folder.remove() }
        let result = try await SidecarProcess.runToExit(
            ["run", "--dapr-http-port", String(Ports.allocate()), "--config", folder.path + "/config.yaml"])
        #expect(result.status == 2, "\(result.stderr)")
        #expect(result.stderr.contains(folder.path + "/config.yaml") && result.stderr.contains("spec.httpPipeline.handlers"), "\(result.stderr)")
    }

    @Test("spec.tracing.zipkin starts the sidecar with a warning that spans are not sent to Zipkin")
    func zipkinWarning() async throws {
        let spec = "  tracing:\n    samplingRate: \"1\"\n    zipkin:\n      endpointAddress: http://127.0.0.1:9411/api/v2/spans"
        try await withConfiguredSidecar(spec) { sidecar, _ in
            #expect(sidecar.logs.contains("spec.tracing.zipkin is not supported"), sidecar.comment)
        }
    }
}
