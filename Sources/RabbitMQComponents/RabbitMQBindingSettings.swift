import AMQPClient
import OutriggerCore

/// The metadata of `bindings.rabbitmq`, with Dapr's names and defaults.
///
/// | field | default | meaning |
/// |---|---|---|
/// | `host` | — (required) | `amqp://user:password@host:port/vhost` (or `amqps://`) |
/// | `queueName` | — (required) | the queue `create` publishes to and the input side consumes |
/// | `durable` | `false` | the queue survives a broker restart |
/// | `deleteWhenUnused` | `false` | auto-delete queue |
/// | `exclusive` | `false` | exclusive queue (only this connection may use it) |
/// | `prefetchCount` | `0` | deliveries handled at once by the input side (0: one at a time, as daprd) |
/// | `maxPriority` | — | `x-max-priority` of the queue (0...255) |
/// | `ttlInSeconds` (`ttl`) | — | `x-message-ttl` of the queue |
/// | `contentType` | `text/plain` | content type of created messages, unless the request says otherwise |
/// | `reconnectWaitInSeconds` | `5` | accepted; reconnects follow Outrigger's backoff |
/// | `caCert`, `clientCert`, `clientKey` | — | PEM; all three set: TLS (as daprd), also with `amqps://` |
/// | `externalSasl` | `false` | EXTERNAL login with the client certificate |
struct RabbitMQBindingSettings: Sendable {
    var configuration: AMQPConfiguration
    var queueName: String
    var durable: Bool
    var deleteWhenUnused: Bool
    var exclusive: Bool
    var prefetchCount: Int
    var maxPriority: UInt8?
    var queueTTL: Duration?
    var contentType: String

    init(_ metadata: ComponentMetadata) throws(ComponentConfigurationError) {
        func invalid(_ field: String, _ reason: String) -> ComponentConfigurationError {
            ComponentConfigurationError(component: metadata.name, field: field, reason: reason)
        }
        let host = try metadata.required("host")
        let uri: AMQPURI
        do {
            uri = try AMQPURI(parsing: host)
        } catch {
            throw invalid("host", "is not an AMQP URI: \(error)")
        }
        var configuration = AMQPConfiguration(host: uri.host, port: uri.port, virtualHost: uri.virtualHost, username: uri.username, password: uri.password)
        let tls = try RabbitMQConnectionSettings.tls(metadata, externalField: "externalSasl")
        let allThree = tls.map { $0.caCertificatePEM != nil && $0.clientCertificatePEM != nil } ?? false
        if uri.isSecure || allThree { configuration.tls = tls ?? AMQPConfiguration.TLS() }
        self.configuration = configuration
        queueName = try metadata.required("queueName")
        durable = try metadata.bool("durable", default: false)
        deleteWhenUnused = try metadata.bool("deleteWhenUnused", default: false)
        exclusive = try metadata.bool("exclusive", default: false)
        prefetchCount = try metadata.int("prefetchCount", default: 0, in: 0...65_535)
        if let text = metadata["maxPriority"], !text.isEmpty {
            guard let value = UInt64(text) else { throw invalid("maxPriority", "must be a whole number, got '\(text)'") }
            maxPriority = UInt8(clamping: value)
        }
        for field in ["ttlInSeconds", "ttl"] {
            guard metadata[field].map({ !$0.isEmpty }) == true else { continue }
            let seconds = try metadata.int(field, default: 0, in: 0...Int(Int32.max))
            queueTTL = .seconds(seconds)
            break
        }
        contentType = metadata.string("contentType", default: "text/plain")
        let wait = try metadata.duration("reconnectWaitInSeconds", default: .seconds(5))
        guard wait >= .zero else { throw invalid("reconnectWaitInSeconds", "must not be negative") }
    }

    /// `x-message-ttl` and `x-max-priority`, as daprd declares them.
    var queueArguments: AMQPTable {
        var arguments: AMQPTable = []
        if let queueTTL { arguments.append(("x-message-ttl", .int64(Int64(queueTTL.components.seconds) * 1000))) }
        if let maxPriority { arguments.append(("x-max-priority", .uint8(maxPriority))) }
        return arguments
    }
}
