import OutriggerCore
import Testing

/// The Dapr `Configuration` given with `--config`: honoured fields, refused ones, and warnings.
@Suite("Dapr Configuration file")
struct DaprConfigurationTests {
    func parse(_ spec: String) throws -> DaprConfiguration {
        try DaprConfiguration.parse("""
            apiVersion: dapr.io/v1alpha1
            kind: Configuration
            metadata:
              name: appconfig
            spec:
            \(spec.split(separator: "\n", omittingEmptySubsequences: false).map { "  " + $0 }.joined(separator: "\n"))
            """, file: "/etc/config.yaml")
    }

    func error(_ spec: String) -> ConfigurationError? {
        do {
            _ = try parse(spec)
            return nil
        } catch let error as ConfigurationError {
            return error
        } catch {
            return nil
        }
    }

    @Test("tracing: samplingRate, otel endpoint, isSecure and protocol are read; the endpoint becomes a URL")
    func tracing() throws {
        let configuration = try parse("""
            tracing:
              samplingRate: "0.5"
              otel:
                endpointAddress: collector:4317
                isSecure: true
                protocol: grpc
            """)
        let tracing = try #require(configuration.tracing)
        #expect(tracing.samplingRate == 0.5)
        #expect(tracing.otel?.url == "https://collector:4317")
        #expect(tracing.otel?.transport == .grpc)
        #expect(configuration.warnings.isEmpty, "\(configuration.warnings)")
    }

    @Test("a tracing section without samplingRate samples as daprd does by default (0.0001); no section means no tracing")
    func samplingDefault() throws {
        #expect(try parse("tracing:\n  stdout: true").tracing?.samplingRate == 0.0001)
        #expect(try parse("features: []").tracing == nil)
    }

    @Test("a samplingRate outside 0...1, an unknown otel protocol or an otel section without endpoint fail naming the field")
    func tracingErrors() {
        let rate = error("tracing:\n  samplingRate: \"2\"")
        #expect(rate?.field == "spec.tracing.samplingRate", "\(String(describing: rate))")
        let transport = error("tracing:\n  otel:\n    endpointAddress: a:1\n    protocol: udp")
        #expect(transport?.field == "spec.tracing.otel.protocol", "\(String(describing: transport))")
        let endpoint = error("tracing:\n  otel:\n    protocol: http")
        #expect(endpoint?.field == "spec.tracing.otel.endpointAddress", "\(String(describing: endpoint))")
    }

    @Test("zipkin is accepted with a warning that names the endpoint and says spans are not sent there")
    func zipkin() throws {
        let configuration = try parse("tracing:\n  samplingRate: \"1\"\n  zipkin:\n    endpointAddress: http://localhost:9411/api/v2/spans")
        #expect(configuration.warnings.contains { $0.contains("spec.tracing.zipkin") && $0.contains("localhost:9411") }, "\(configuration.warnings)")
    }

    @Test("middleware pipelines and API allow/deny lists are refused at start-up, naming the field")
    func refused() {
        let pipeline = error("httpPipeline:\n  handlers:\n    - name: oauth2\n      type: middleware.http.oauth2")
        #expect(pipeline?.field == "spec.httpPipeline.handlers", "\(String(describing: pipeline))")
        let appPipeline = error("appHttpPipeline:\n  handlers:\n    - name: upper\n      type: middleware.http.uppercase")
        #expect(appPipeline?.field == "spec.appHttpPipeline.handlers", "\(String(describing: appPipeline))")
        let api = error("api:\n  allowed:\n    - name: publish\n      version: v1.0\n      protocol: http")
        #expect(api?.field == "spec.api", "\(String(describing: api))")
        #expect(error("httpPipeline:\n  handlers: []") == nil, "an empty pipeline changes nothing")
    }

    @Test("service-invocation and control-plane fields are accepted with a warning each")
    func inapplicable() throws {
        let configuration = try parse("""
            accessControl:
              defaultAction: deny
            mtls:
              enabled: true
            nameResolution:
              component: mdns
            """)
        for field in ["spec.accessControl", "spec.mtls", "spec.nameResolution"] {
            #expect(configuration.warnings.contains { $0.contains(field) }, "\(field): \(configuration.warnings)")
        }
    }

    @Test("metrics.enabled, features, secret scopes and components.deny are read")
    func honoured() throws {
        let configuration = try parse("""
            metrics:
              enabled: false
            features:
              - name: HotReload
                enabled: true
              - name: Other
                enabled: false
            secrets:
              scopes:
                - storeName: vault
                  defaultAccess: deny
                  allowedSecrets: ["db-password"]
                - storeName: env
                  deniedSecrets: ["HOME"]
            components:
              deny:
                - bindings.smtp
                - secretstores.local.env/v1
            """)
        #expect(!configuration.metricsEnabled)
        #expect(configuration.isEnabled(feature: "HotReload") && !configuration.isEnabled(feature: "Other") && !configuration.isEnabled(feature: "Missing"))
        let vault = try #require(configuration.secretScopes.first { $0.storeName == "vault" })
        #expect(vault.allows("db-password") && !vault.allows("api-key"))
        let env = try #require(configuration.secretScopes.first { $0.storeName == "env" })
        #expect(env.allows("PATH") && !env.allows("HOME"))
        #expect(configuration.denies(type: "bindings.smtp", version: "v1"))
        #expect(configuration.denies(type: "secretstores.local.env", version: "v1"))
        #expect(!configuration.denies(type: "secretstores.local.env", version: "v2"))
        #expect(!configuration.denies(type: "pubsub.redis", version: "v1"))
    }

    @Test("a file that is not a Configuration is refused, naming kind")
    func wrongKind() {
        do throws(ConfigurationError) {
            _ = try DaprConfiguration.parse("apiVersion: dapr.io/v1alpha1\nkind: Component\n", file: "/c.yaml")
            Issue.record("a Component was read as a Configuration")
        } catch {
            #expect(error.field == "kind", "\(error)")
        }
    }
}
