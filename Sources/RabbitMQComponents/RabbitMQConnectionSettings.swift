import AMQPClient
import OutriggerCore

/// The connection metadata of `pubsub.rabbitmq`, with Dapr's names and defaults; a wrong value
/// throws ``ComponentConfigurationError`` naming the field.
///
/// | field | default | meaning |
/// |---|---|---|
/// | `connectionString` (`host`, deprecated) | — | `amqp://user:password@host:port/vhost` or `amqps://…`; wins over the separate fields |
/// | `protocol` | `amqp` | `amqp` or `amqps` (must agree with `connectionString`) |
/// | `hostname` | `localhost` | host, or `host:port` |
/// | `port` | 5672 (5671 with amqps) | when `hostname` has no port |
/// | `username`, `password` | `guest`, `guest` | PLAIN login |
/// | `vhost` | `/` | virtual host, when there is no `connectionString` |
/// | `heartBeat` | `10s` | negotiated heartbeat; `0` disables it |
/// | `clientName` | — | `connection_name`, shown in the management UI |
/// | `caCert`, `clientCert`, `clientKey` | — | PEM texts for amqps (client certificate and key both or neither) |
/// | `saslExternal` | `false` | EXTERNAL login with the client certificate; needs all three PEM fields |
struct RabbitMQConnectionSettings: Sendable, Equatable {
    var configuration: AMQPConfiguration

    init(_ metadata: ComponentMetadata) throws(ComponentConfigurationError) {
        func invalid(_ field: String, _ reason: String) -> ComponentConfigurationError {
            ComponentConfigurationError(component: metadata.name, field: field, reason: reason)
        }
        var field = "connectionString"
        var connectionString = metadata.string("connectionString", default: "")
        if connectionString.isEmpty, let host = metadata["host"], !host.isEmpty {
            connectionString = host
            field = "host"
        }
        var configuration = AMQPConfiguration()
        var secure = false
        if !connectionString.isEmpty {
            let uri: AMQPURI
            do {
                uri = try AMQPURI(parsing: connectionString)
            } catch {
                throw invalid(field, "is not an AMQP URI: \(error)")
            }
            secure = uri.isSecure
            configuration = AMQPConfiguration(
                host: uri.host, port: uri.port, virtualHost: uri.virtualHost, username: uri.username, password: uri.password)
        } else {
            let (host, port) = try Self.hostAndPort(metadata)
            configuration.host = host
            configuration.port = port ?? 5672
            configuration.username = metadata.string("username", default: "guest")
            configuration.password = metadata["password"] ?? (metadata["username"] == nil ? "guest" : "")
            configuration.virtualHost = metadata.string("vhost", default: "/")
        }
        if let proto = metadata["protocol"], !proto.isEmpty {
            let lower = proto.lowercased()
            guard lower == "amqp" || lower == "amqps" else { throw invalid("protocol", "must be amqp or amqps, got '\(proto)'") }
            if !connectionString.isEmpty, (lower == "amqps") != secure {
                throw invalid("protocol", "is \(lower) but \(field) says \(secure ? "amqps" : "amqp")")
            }
            if connectionString.isEmpty, lower == "amqps" {
                secure = true
                if try Self.hostAndPort(metadata).1 == nil { configuration.port = 5671 }
            }
        }
        let heartbeat = try metadata.duration("heartBeat", default: .seconds(10))
        guard heartbeat >= .zero else { throw invalid("heartBeat", "must not be negative") }
        configuration.heartbeat = heartbeat
        if let name = metadata["clientName"], !name.isEmpty { configuration.connectionName = name }

        let tls = try Self.tls(metadata, externalField: "saslExternal")
        if secure {
            configuration.tls = tls ?? AMQPConfiguration.TLS()
        }
        self.configuration = configuration
    }

    /// The PEM fields (`caCert`, `clientCert`, `clientKey`) and EXTERNAL login; `nil` when none is set.
    static func tls(_ metadata: ComponentMetadata, externalField: String) throws(ComponentConfigurationError) -> AMQPConfiguration.TLS? {
        func invalid(_ field: String, _ reason: String) -> ComponentConfigurationError {
            ComponentConfigurationError(component: metadata.name, field: field, reason: reason)
        }
        var values: [String: String] = [:]
        for field in ["caCert", "clientCert", "clientKey"] {
            guard let value = metadata[field], !value.isEmpty else { continue }
            guard value.contains("-----BEGIN") else { throw invalid(field, "is not PEM (no -----BEGIN line)") }
            values[field] = value
        }
        guard (values["clientCert"] == nil) == (values["clientKey"] == nil) else {
            throw invalid(values["clientCert"] == nil ? "clientCert" : "clientKey", "is required when \(values["clientCert"] == nil ? "clientKey" : "clientCert") is set")
        }
        let external = try metadata.bool(externalField, default: false)
        if external, values.count < 3 {
            throw invalid(externalField, "needs caCert, clientCert and clientKey")
        }
        guard !values.isEmpty else { return nil }
        return AMQPConfiguration.TLS(
            caCertificatePEM: values["caCert"], clientCertificatePEM: values["clientCert"], clientKeyPEM: values["clientKey"], externalAuthentication: external)
    }

    /// `hostname` split into host and port; `port` fills in a missing port.
    private static func hostAndPort(_ metadata: ComponentMetadata) throws(ComponentConfigurationError) -> (String, Int?) {
        try metadata.hostAndPort(metadata.string("hostname", default: "localhost"), hostField: "hostname", portField: "port")
    }
}
