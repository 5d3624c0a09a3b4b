@testable import KafkaComponents
import KafkaClient
import OutriggerCore
import Testing

@Suite("pubsub.kafka and bindings.kafka metadata")
struct KafkaSettingsTests {
    static func metadata(_ properties: [String: String]) -> ComponentMetadata {
        ComponentMetadata(name: "kafka", type: "pubsub.kafka", appID: "app", properties: ["brokers": "b1:9092, b2:9093", "authType": "none"].merging(properties) { $1 })
    }

    static func settings(_ properties: [String: String] = [:]) throws -> KafkaSettings {
        try KafkaSettings(metadata(properties), consumeRetryDefault: true)
    }

    static func failingField(_ properties: [String: String]) -> String? {
        do {
            _ = try KafkaSettings(metadata(properties), consumeRetryDefault: true)
            return nil
        } catch {
            return error.field
        }
    }

    @Test("Dapr's defaults: newest, acks all with the idempotent producer, 10 s session, 3 s heartbeat, client id sarama")
    func defaults() throws {
        let settings = try Self.settings()
        #expect(settings.brokers == ["b1:9092", "b2:9093"])
        let producer = settings.producerConfiguration
        #expect(producer["bootstrap.servers"] == "b1:9092,b2:9093")
        #expect(producer["client.id"] == "sarama")
        #expect(producer["acks"] == "all")
        #expect(producer["enable.idempotence"] == "true")
        #expect(producer["partitioner"] == "fnv1a_random")
        #expect(producer["security.protocol"] == "plaintext")
        let consumer = settings.consumerConfiguration(group: "g")
        #expect(consumer["group.id"] == "g")
        #expect(consumer["session.timeout.ms"] == "10000")
        #expect(consumer["heartbeat.interval.ms"] == "3000")
        #expect(consumer["auto.offset.reset"] == "latest")
        #expect(consumer["fetch.wait.max.ms"] == "500")
        #expect(settings.startPosition == .end)
        #expect(settings.consumeRetryEnabled)
        #expect(settings.consumerGroup == nil)
    }

    @Test("consumerGroup falls back to consumerID")
    func consumerGroup() throws {
        #expect(try Self.settings(["consumerID": "c"]).consumerGroup == "c")
        #expect(try Self.settings(["consumerID": "c", "consumerGroup": "g"]).consumerGroup == "g")
    }

    @Test("tuning fields map to librdkafka properties")
    func tuning() throws {
        let settings = try Self.settings([
            "initialOffset": "oldest", "sessionTimeout": "6s", "heartbeatInterval": "500ms", "consumerFetchMaxWait": "10ms",
            "producerRequiredAcks": "local", "compression": "zstd", "maxMessageBytes": "2048", "consumerGroupRebalanceStrategy": "sticky",
        ])
        let consumer = settings.consumerConfiguration(group: "g")
        #expect(consumer["auto.offset.reset"] == "earliest")
        #expect(consumer["session.timeout.ms"] == "6000")
        #expect(consumer["heartbeat.interval.ms"] == "500")
        #expect(consumer["fetch.wait.max.ms"] == "10")
        #expect(consumer["partition.assignment.strategy"] == "cooperative-sticky")
        let producer = settings.producerConfiguration
        #expect(producer["acks"] == "1")
        #expect(producer["enable.idempotence"] == "false")
        #expect(producer["compression.codec"] == "zstd")
        #expect(producer["message.max.bytes"] == "2048")
        #expect(settings.startPosition == .beginning)
    }

    @Test("authType password maps to SASL over TLS with the mechanism Dapr names")
    func password() throws {
        let security = try Self.settings(["authType": "password", "saslUsername": "u", "saslPassword": "p", "saslMechanism": "SHA-512"]).security
        #expect(security.properties.map(\.0) == ["security.protocol", "sasl.mechanisms", "sasl.username", "sasl.password"])
        #expect(security.properties.map(\.1) == ["sasl_ssl", "SCRAM-SHA-512", "u", "p"])
        let plain = try Self.settings(["authType": "password", "saslUsername": "u", "saslPassword": "p", "disableTls": "true"]).security
        #expect(plain.properties.first?.1 == "sasl_plaintext")
        #expect(plain.properties.contains { $0 == ("sasl.mechanisms", "PLAIN") })
        let sha256 = try Self.settings(["authType": "password", "saslUsername": "u", "saslPassword": "p", "saslMechanism": "SCRAM-SHA-256"]).security
        #expect(sha256.properties.contains { $0 == ("sasl.mechanisms", "SCRAM-SHA-256") })
    }

    @Test("authType mtls maps the PEM fields to ssl.*.pem; skipVerify turns verification off")
    func mtls() throws {
        let cert = "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----"
        let key = "-----BEGIN PRIVATE KEY-----\nBBBB\n-----END PRIVATE KEY-----"
        let security = try Self.settings(["authType": "mtls", "caCert": cert, "clientCert": cert, "clientKey": key, "skipVerify": "true"]).security
        #expect(security.properties.map(\.0) == [
            "security.protocol", "ssl.ca.pem", "ssl.certificate.pem", "ssl.key.pem",
            "enable.ssl.certificate.verification", "ssl.endpoint.identification.algorithm",
        ])
        #expect(security.properties.map(\.1) == ["ssl", cert, cert, key, "false", "none"])
    }

    @Test("missing or malformed fields fail naming the field")
    func failures() {
        #expect(Self.failingField(["brokers": ""]) == "brokers")
        #expect(Self.failingField(["authType": ""]) == "authType")
        #expect(Self.failingField(["authType": "kerberos"]) == "authType")
        #expect(Self.failingField(["authType": "oidc"]) == "authType")
        #expect(Self.failingField(["authType": "password", "saslPassword": "p"]) == "saslUsername")
        #expect(Self.failingField(["authType": "password", "saslUsername": "u"]) == "saslPassword")
        #expect(Self.failingField(["authType": "password", "saslUsername": "u", "saslPassword": "p", "saslMechanism": "MD5"]) == "saslMechanism")
        #expect(Self.failingField(["authType": "mtls", "clientCert": "-----BEGIN C-----\n-----END C-----"]) == "clientKey")
        #expect(Self.failingField(["authType": "mtls", "disableTls": "true"]) == "disableTls")
        #expect(Self.failingField(["authType": "certificate"]) == "caCert")
        #expect(Self.failingField(["caCert": "not pem"]) == "caCert")
        #expect(Self.failingField(["initialOffset": "middle"]) == "initialOffset")
        #expect(Self.failingField(["compression": "brotli"]) == "compression")
        #expect(Self.failingField(["producerRequiredAcks": "some"]) == "producerRequiredAcks")
        #expect(Self.failingField(["sessionTimeout": "soon"]) == "sessionTimeout")
        #expect(Self.failingField(["heartbeatInterval": "20s"]) == "heartbeatInterval")
        #expect(Self.failingField(["version": "two"]) == "version")
        #expect(Self.failingField(["consumeRetryEnabled": "maybe"]) == "consumeRetryEnabled")
    }
}
