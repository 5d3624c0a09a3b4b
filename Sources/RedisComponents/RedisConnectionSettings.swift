import OutriggerCore
import RedisClient

/// The connection metadata `pubsub.redis` and `bindings.redis` share, read with Dapr's names
/// and defaults; a wrong value throws ``ComponentConfigurationError`` naming the field.
///
/// | field | default | meaning |
/// |---|---|---|
/// | `redisHost` | — (required) | `host:port`, or a host with `redisPort` (default 6379) |
/// | `redisPort` | — | the port, when `redisHost` has none (must agree when both do) |
/// | `redisUsername`, `redisPassword` | — | `AUTH` (ACL user with Redis 6+) |
/// | `redisDB` | `0` | database selected after connecting |
/// | `enableTLS` | `false` | TLS, verifying the server certificate against the system roots |
/// | `insecureSkipTLSVerify` | `false` | TLS without verifying the certificate (tests only) |
/// | `clientCert`, `clientKey` | — | PEM client certificate and key, both or neither |
/// | `dialTimeout` | `5s` | connect and TLS handshake; a bare number is milliseconds |
/// | `readTimeout` | `3s` | reply time of a command; `-1`: none; a bare number is milliseconds |
/// | `poolSize` | `2` | pipelined connections for commands other than blocking reads (at most 16) |
/// | `redisType` | `node` | `cluster` is refused: Outrigger speaks to a single node |
/// | `failover`, `useEntraID`, `useOIDC` | `false` | `true` is refused (not supported) |
struct RedisConnectionSettings: Sendable {
    var configuration: RedisConfiguration
    var poolSize: Int

    /// `host:port`, for messages.
    var address: String { "\(configuration.host):\(configuration.port)" }

    init(_ metadata: ComponentMetadata) throws(ComponentConfigurationError) {
        func invalid(_ field: String, _ reason: String) -> ComponentConfigurationError {
            ComponentConfigurationError(component: metadata.name, field: field, reason: reason)
        }
        let redisType = metadata.string("redisType", default: "node").lowercased()
        guard redisType == "node" else {
            throw invalid("redisType", redisType == "cluster" ? "cluster is not supported by Outrigger (single node only)" : "must be node, got '\(redisType)'")
        }
        for field in ["failover", "useEntraID", "useAzureAD", "useOIDC"] {
            if try metadata.bool(field, default: false) {
                throw invalid(field, "is not supported by Outrigger; connect to the node directly with redisUsername and redisPassword")
            }
        }

        let (host, port) = try Self.hostAndPort(metadata)
        var configuration = RedisConfiguration(host: host, port: port)
        configuration.username = metadata["redisUsername"].flatMap { $0.isEmpty ? nil : $0 }
        configuration.password = metadata["redisPassword"].flatMap { $0.isEmpty ? nil : $0 }
        configuration.database = try metadata.int("redisDB", default: 0, in: 0...Int(Int32.max))

        let skipVerify = try metadata.bool("insecureSkipTLSVerify", default: false)
        if try metadata.bool("enableTLS", default: false) {
            var tls = RedisTLSConfiguration(verifyCertificate: !skipVerify)
            let certificate = metadata.string("clientCert", default: "")
            let key = metadata.string("clientKey", default: "")
            guard certificate.isEmpty == key.isEmpty else {
                throw invalid(certificate.isEmpty ? "clientCert" : "clientKey", "is required when \(certificate.isEmpty ? "clientKey" : "clientCert") is set")
            }
            if !certificate.isEmpty {
                tls.clientCertificatePEM = certificate
                tls.clientKeyPEM = key
            }
            configuration.tls = tls
        }

        let dialTimeout = try metadata.duration("dialTimeout", default: .seconds(5), bareUnit: .milliseconds(1))
        configuration.dialTimeout = dialTimeout > .zero ? dialTimeout : .seconds(5)
        let readTimeout = try metadata.duration("readTimeout", default: .seconds(3), bareUnit: .milliseconds(1))
        configuration.readTimeout = readTimeout < .zero ? nil : (readTimeout == .zero ? .seconds(3) : readTimeout)
        self.configuration = configuration
        poolSize = min(try metadata.int("poolSize", default: 2, in: 0...Int(Int32.max)), 16)
        if poolSize == 0 { poolSize = 2 }
    }

    /// `redisHost` split into host and port; `redisPort` fills in a missing port.
    private static func hostAndPort(_ metadata: ComponentMetadata) throws(ComponentConfigurationError) -> (String, Int) {
        func invalid(_ field: String, _ reason: String) -> ComponentConfigurationError {
            ComponentConfigurationError(component: metadata.name, field: field, reason: reason)
        }
        let text = String(try metadata.required("redisHost").trimmingCharacters(in: " "))
        guard !text.contains(",") else { throw invalid("redisHost", "lists several hosts; Outrigger connects to a single node") }
        let (host, port) = try metadata.hostAndPort(text, hostField: "redisHost", portField: "redisPort")
        return (host, port ?? 6379)
    }
}
