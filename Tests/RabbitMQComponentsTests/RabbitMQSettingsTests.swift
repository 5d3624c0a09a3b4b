import AMQPClient
import OutriggerCore
import OutriggerTesting
import Testing

@testable import RabbitMQComponents

@Suite("pubsub.rabbitmq metadata")
struct RabbitMQSettingsTests {
    static func metadata(_ properties: [String: String]) -> ComponentMetadata {
        ComponentMetadata(name: "rabbit", type: "pubsub.rabbitmq", properties: properties)
    }

    static let pem = "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n"

    @Test("defaults are daprd's, except publisher confirms which are on")
    func defaults() throws {
        let settings = try RabbitMQPubSubSettings(Self.metadata([:]))
        #expect(settings.connection.configuration == AMQPConfiguration(host: "localhost", port: 5672, heartbeat: .seconds(10)))
        #expect(settings.durable && settings.deleteWhenUnused && settings.publisherConfirm)
        #expect(!settings.autoAck && !settings.requeueInFailure && !settings.enableDeadLetter)
        #expect(settings.exchangeKind == "fanout" && settings.deliveryMode == 0 && settings.prefetchCount == 0)
        #expect(settings.defaultTTL == nil && settings.consumerID == nil && !settings.singleConcurrency)
    }

    @Test("connectionString gives host, port, credentials and vhost")
    func connectionString() throws {
        let configuration = try RabbitMQPubSubSettings(Self.metadata(["connectionString": "amqp://app:secret@rabbit:5673/orders"])).connection.configuration
        #expect(configuration.host == "rabbit" && configuration.port == 5673 && configuration.username == "app" && configuration.password == "secret")
        #expect(configuration.virtualHost == "orders" && configuration.tls == nil)
    }

    @Test("the deprecated host field is a connection string")
    func deprecatedHost() throws {
        let configuration = try RabbitMQPubSubSettings(Self.metadata(["host": "amqp://rabbit:5999"])).connection.configuration
        #expect(configuration.host == "rabbit" && configuration.port == 5999)
    }

    @Test("hostname, port, username, password and vhost without a connection string")
    func separateFields() throws {
        let configuration = try RabbitMQPubSubSettings(Self.metadata([
            "hostname": "rabbit", "port": "5800", "username": "u", "password": "p", "vhost": "v", "heartBeat": "30s", "clientName": "me",
        ])).connection.configuration
        #expect(configuration == AMQPConfiguration(host: "rabbit", port: 5800, virtualHost: "v", username: "u", password: "p", heartbeat: .seconds(30), connectionName: "me"))
    }

    @Test("amqps enables TLS with the PEM fields and port 5671")
    func tls() throws {
        let configuration = try RabbitMQPubSubSettings(Self.metadata([
            "connectionString": "amqps://rabbit", "caCert": Self.pem, "clientCert": Self.pem, "clientKey": "-----BEGIN PRIVATE KEY-----\nx\n-----END PRIVATE KEY-----",
            "saslExternal": "true",
        ])).connection.configuration
        let tls = try #require(configuration.tls)
        #expect(configuration.port == 5671)
        #expect(tls.caCertificatePEM == Self.pem && tls.clientCertificatePEM == Self.pem && tls.clientKeyPEM != nil)
        #expect(tls.verifyPeer && tls.externalAuthentication)
    }

    @Test("protocol amqps with separate fields enables TLS on 5671")
    func protocolField() throws {
        let configuration = try RabbitMQPubSubSettings(Self.metadata(["protocol": "amqps", "hostname": "rabbit"])).connection.configuration
        #expect(configuration.tls != nil && configuration.port == 5671)
    }

    @Test("a wrong value names its field", arguments: [
        (["connectionString": "http://rabbit"], "connectionString"),
        (["connectionString": "amqp://rabbit", "protocol": "amqps"], "protocol"),
        (["protocol": "stomp"], "protocol"),
        (["hostname": "rabbit:99999"], "hostname"),
        (["hostname": "rabbit:5672", "port": "5673"], "port"),
        (["exchangeKind": "x-delayed"], "exchangeKind"),
        (["deliveryMode": "3"], "deliveryMode"),
        (["prefetchCount": "-1"], "prefetchCount"),
        (["durable": "maybe"], "durable"),
        (["ttlInSeconds": "soon"], "ttlInSeconds"),
        (["heartBeat": "often"], "heartBeat"),
        (["concurrency": "lots"], "concurrency"),
        (["caCert": "not pem"], "caCert"),
        (["connectionString": "amqps://rabbit", "clientCert": pem], "clientKey"),
        (["connectionString": "amqps://rabbit", "caCert": pem, "saslExternal": "true"], "saslExternal"),
    ])
    func wrongValue(_ properties: [String: String], _ field: String) {
        #expect(failingField { _ = try RabbitMQPubSubSettings(Self.metadata(properties)) } == field)
    }

    @Test("bindings.rabbitmq needs host and queueName; the queue arguments are daprd's")
    func binding() throws {
        func make(_ properties: [String: String]) throws -> RabbitMQBindingSettings {
            try RabbitMQBindingSettings(ComponentMetadata(name: "b", type: "bindings.rabbitmq", properties: properties))
        }
        #expect(failingField { _ = try make(["queueName": "q"]) } == "host")
        #expect(failingField { _ = try make(["host": "amqp://rabbit"]) } == "queueName")
        #expect(failingField { _ = try make(["host": "rabbit", "queueName": "q"]) } == "host")
        #expect(failingField { _ = try make(["host": "amqp://rabbit", "queueName": "q", "maxPriority": "high"]) } == "maxPriority")
        let settings = try make(["host": "amqp://rabbit", "queueName": "q", "ttlInSeconds": "60", "maxPriority": "300"])
        #expect(!settings.durable && !settings.deleteWhenUnused && !settings.exclusive && settings.contentType == "text/plain")
        #expect(settings.queueArguments.map(\.key) == ["x-message-ttl", "x-max-priority"])
        #expect(settings.queueArguments.map(\.value) == [.int64(60_000), .uint8(255)])
        #expect(settings.configuration.tls == nil)
        let tls = try make(["host": "amqp://rabbit", "queueName": "q", "caCert": Self.pem, "clientCert": Self.pem, "clientKey": Self.pem])
        #expect(tls.configuration.tls != nil, "daprd dials TLS when all three PEM fields are set")
    }
}
