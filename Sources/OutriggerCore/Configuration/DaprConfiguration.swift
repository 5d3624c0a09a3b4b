import Foundation

/// The Dapr `Configuration` given with `--config`: what Outrigger honours, and a clear word
/// about every field it does not.
///
/// Honoured: `spec.tracing` (sampling, OTLP export, stdout), `spec.metrics.enabled`,
/// `spec.features`, `spec.secrets.scopes`, `spec.components.deny`. Refused with a start-up
/// error, because running without them would change what the app is protected by or what it
/// receives: `spec.httpPipeline`, `spec.appHttpPipeline` and `spec.api` lists. Accepted with a
/// warning, because they configure what Outrigger does not do (service invocation, actors,
/// workflows, the control plane): the rest. See docs/configuration.md.
public struct DaprConfiguration: Sendable, Equatable {
    /// `spec.tracing`.
    public struct Tracing: Sendable, Equatable {
        /// Where spans go over OTLP (`spec.tracing.otel`).
        public struct OTLPEndpoint: Sendable, Equatable {
            public enum TransportProtocol: String, Sendable, Equatable { case grpc, http }
            /// `endpointAddress` as written (`host:port`, or a URL).
            public var address: String
            public var isSecure: Bool
            public var transport: TransportProtocol

            /// The endpoint as a URL: `address` when it has a scheme, else `http(s)://address`.
            public var url: String {
                if address.hasPrefix("http://") || address.hasPrefix("https://") { return address }
                return (isSecure ? "https://" : "http://") + address
            }
        }

        /// `samplingRate` (0…1); Dapr's default when the section omits it is 0.0001.
        public var samplingRate: Double
        /// `stdout`: spans are written to standard output.
        public var stdout: Bool
        public var otel: OTLPEndpoint?
    }

    /// `spec.secrets.scopes[]`: which secrets of a store the app may read through the API.
    public struct SecretScope: Sendable, Equatable {
        public var storeName: String
        /// `defaultAccess`: true for `allow` (Dapr's default), false for `deny`.
        public var allowByDefault: Bool
        public var allowedSecrets: [String]
        public var deniedSecrets: [String]

        /// Dapr's rule: a denied key is refused; with an allow list only its keys pass;
        /// otherwise the default access decides.
        public func allows(_ key: String) -> Bool {
            if deniedSecrets.contains(key) { return false }
            if !allowedSecrets.isEmpty { return allowedSecrets.contains(key) }
            return allowByDefault
        }
    }

    /// The file it was read from.
    public var file: String
    /// `metadata.name`.
    public var name: String
    /// nil when `spec.tracing` is absent: trace contexts are still propagated, no span is exported.
    public var tracing: Tracing?
    /// `spec.metrics.enabled` (default true): false turns the metrics endpoint off.
    public var metricsEnabled: Bool
    /// `spec.features[]` by name.
    public var features: [String: Bool]
    public var secretScopes: [SecretScope]
    /// `spec.components.deny`: component types (`bindings.smtp`) or types with a version
    /// (`bindings.smtp/v1`) that are not loaded.
    public var deniedComponents: [String]
    /// Fields accepted without effect, one line each, for the start-up log.
    public var warnings: [String]

    /// A configuration that sets nothing (no `--config`).
    public static func empty() -> DaprConfiguration {
        DaprConfiguration(file: "", name: "", tracing: nil, metricsEnabled: true, features: [:], secretScopes: [], deniedComponents: [], warnings: [])
    }

    /// Whether the feature `name` is enabled (`spec.features: [{name, enabled: true}]`).
    public func isEnabled(feature name: String) -> Bool { features[name] ?? false }

    /// Whether a component of `type` at `version` must not be loaded.
    public func denies(type: String, version: String) -> Bool {
        deniedComponents.contains { $0 == type || $0 == "\(type)/\(version)" }
    }

    /// Reads the file at `path`.
    public static func load(path: String) throws(ConfigurationError) -> DaprConfiguration {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ConfigurationError(file: path, document: 1, field: "", message: "cannot read the file")
        }
        return try parse(String(decoding: data, as: UTF8.self), file: path)
    }

    /// Parses Configuration text; `file` names it in errors.
    public static func parse(_ text: String, file: String) throws(ConfigurationError) -> DaprConfiguration {
        let root = try YAMLField.singleDocument(text, file: file)
        let context = root.context
        guard let kind = try root.child("kind").string(), kind == "Configuration" else {
            throw root.child("kind").error("must be Configuration (the file given with --config)")
        }
        context.resource = "Configuration"
        let spec = root.child("spec")
        spec.warnAboutUnknownMembers(Set(honoured + refused + inapplicable.keys))
        for key in refused where spec.child(key).isPresent {
            let field = spec.child(key)
            if key == "api" {
                let allowed = try field.child("allowed").items()
                let denied = try field.child("denied").items()
                if !allowed.isEmpty || !denied.isEmpty {
                    throw field.error("API allow and deny lists are not supported by Outrigger; remove them (the API token, DAPR_API_TOKEN, guards every API)")
                }
            } else if try !field.child("handlers").items().isEmpty {
                throw field.child("handlers").error("middleware pipelines are not supported by Outrigger; remove the handlers")
            }
        }
        for (key, reason) in inapplicable.sorted(by: { $0.key < $1.key }) where spec.child(key).isPresent {
            context.warnings.append("\(file): spec.\(key) has no effect in Outrigger (\(reason))")
        }
        if try spec.child("logging").child("apiLogging").child("enabled").bool() == true {
            context.warnings.append("\(file): spec.logging.apiLogging is not supported; API calls are not logged one by one (the metrics endpoint counts them)")
        }
        spec.child("components").warnAboutUnknownMembers(["deny"])
        return DaprConfiguration(
            file: file, name: try root.child("metadata").child("name").string() ?? "",
            tracing: try readTracing(spec.child("tracing")),
            metricsEnabled: try readMetrics(spec.child("metrics")),
            features: try readFeatures(spec.child("features")),
            secretScopes: try readSecretScopes(spec.child("secrets")),
            deniedComponents: try spec.child("components").child("deny").stringList(),
            warnings: context.warnings)
    }

    static let honoured = ["tracing", "metrics", "features", "secrets", "components", "logging"]
    static let refused = ["httpPipeline", "appHttpPipeline", "api"]
    static let inapplicable: [String: String] = [
        "accessControl": "it controls service invocation, which Outrigger does not provide",
        "nameResolution": "it configures service invocation, which Outrigger does not provide",
        "mtls": "sidecar-to-sidecar mTLS is for service invocation and the control plane",
        "workflow": "Outrigger does not run workflows",
        "wasm": "Outrigger does not run WebAssembly middleware",
        "appConnection": "use --app-max-concurrency and --app-health-check-path",
    ]

    private static func readTracing(_ field: YAMLField) throws(ConfigurationError) -> Tracing? {
        guard field.isPresent else { return nil }
        field.warnAboutUnknownMembers(["samplingRate", "stdout", "otel", "zipkin"])
        var rate = 0.0001
        if let text = try field.child("samplingRate").string() {
            guard let value = Double(text), value >= 0, value <= 1 else {
                throw field.child("samplingRate").error("must be a number from 0 to 1, got '\(text)'")
            }
            rate = value
        }
        var otel: Tracing.OTLPEndpoint?
        let otelField = field.child("otel")
        if otelField.isPresent {
            otelField.warnAboutUnknownMembers(["endpointAddress", "isSecure", "protocol"])
            let text = try otelField.child("protocol").string() ?? "grpc"
            guard let transport = Tracing.OTLPEndpoint.TransportProtocol(rawValue: text.lowercased()) else {
                throw otelField.child("protocol").error("must be grpc or http, got '\(text)'")
            }
            otel = Tracing.OTLPEndpoint(
                address: try otelField.child("endpointAddress").requiredString(),
                isSecure: try otelField.child("isSecure").bool() ?? false, transport: transport)
        }
        if let zipkin = try field.child("zipkin").child("endpointAddress").string(), !zipkin.isEmpty {
            field.context.warnings.append("\(field.context.origin.file): spec.tracing.zipkin is not supported; spans are not sent to \(zipkin) (Outrigger exports OTLP: set spec.tracing.otel; an OpenTelemetry Collector can forward to Zipkin)")
        }
        return Tracing(samplingRate: rate, stdout: try field.child("stdout").bool() ?? false, otel: otel)
    }

    private static func readMetrics(_ field: YAMLField) throws(ConfigurationError) -> Bool {
        guard field.isPresent else { return true }
        for key in ["rules", "latencyDistributionBuckets", "http", "recordErrorCodes"] where field.child(key).isPresent {
            field.context.warnings.append("\(field.context.origin.file): spec.metrics.\(key) is not supported; the metrics keep their default shape")
        }
        field.warnAboutUnknownMembers(["enabled", "rules", "latencyDistributionBuckets", "http", "recordErrorCodes"])
        return try field.child("enabled").bool() ?? true
    }

    private static func readFeatures(_ field: YAMLField) throws(ConfigurationError) -> [String: Bool] {
        var features: [String: Bool] = [:]
        for item in try field.items() {
            item.warnAboutUnknownMembers(["name", "enabled"])
            features[try item.child("name").requiredString()] = try item.child("enabled").bool() ?? false
        }
        return features
    }

    private static func readSecretScopes(_ field: YAMLField) throws(ConfigurationError) -> [SecretScope] {
        field.warnAboutUnknownMembers(["scopes"])
        var scopes: [SecretScope] = []
        for item in try field.child("scopes").items() {
            item.warnAboutUnknownMembers(["storeName", "defaultAccess", "allowedSecrets", "deniedSecrets"])
            let access = try item.child("defaultAccess").string()?.lowercased() ?? "allow"
            guard access == "allow" || access == "deny" else {
                throw item.child("defaultAccess").error("must be allow or deny, got '\(access)'")
            }
            scopes.append(SecretScope(
                storeName: try item.child("storeName").requiredString(), allowByDefault: access == "allow",
                allowedSecrets: try item.child("allowedSecrets").stringList(),
                deniedSecrets: try item.child("deniedSecrets").stringList()))
        }
        return scopes
    }
}
