import NATSClient
import OutriggerCore
import Testing
@testable import JetStreamComponents

@Suite("pubsub.jetstream metadata")
struct JetStreamSettingsTests {
    static func settings(_ properties: [String: String]) throws -> JetStreamSettings {
        try JetStreamSettings(ComponentMetadata(name: "js", type: "pubsub.jetstream", properties: ["natsURL": "nats://127.0.0.1:4222"].merging(properties) { $1 }))
    }

    /// The field a start-up error names.
    static func field(_ properties: [String: String]) -> String? {
        do {
            _ = try JetStreamSettings(ComponentMetadata(name: "js", type: "pubsub.jetstream", properties: properties))
            return nil
        } catch {
            return error.field
        }
    }

    @Test("natsURL is required")
    func natsURLRequired() {
        #expect(Self.field([:]) == "natsURL")
    }

    @Test("defaults are Dapr's: connection name, deliver all, explicit acks, server AckWait")
    func defaults() throws {
        let settings = try Self.settings([:])
        #expect(settings.connection.name == "dapr.io - pubsub.jetstream")
        #expect(settings.connection.credentials == .none)
        #expect(settings.deliverPolicy == .all)
        #expect(settings.ackPolicy == .explicit)
        #expect(settings.ackWait == nil)
        #expect(settings.streamName == nil)
        #expect(!settings.singleConcurrency)
    }

    @Test("jwt and seedKey together are user credentials; one without the other names the missing one")
    func jwtAndSeed() throws {
        #expect(try Self.settings(["jwt": "eyJ", "seedKey": "SUA"]).connection.credentials == .userJWT(jwt: "eyJ", seed: "SUA"))
        #expect(Self.field(["natsURL": "nats://x", "jwt": "eyJ"]) == "seedKey")
        #expect(Self.field(["natsURL": "nats://x", "seedKey": "SUA"]) == "jwt")
    }

    @Test("token is the credential when no jwt is given; jwt wins when both are, as in daprd")
    func token() throws {
        #expect(try Self.settings(["token": "s3cret"]).connection.credentials == .token("s3cret"))
        #expect(try Self.settings(["token": "s3cret", "jwt": "eyJ", "seedKey": "SUA"]).connection.credentials == .userJWT(jwt: "eyJ", seed: "SUA"))
    }

    @Test("a TLS client certificate needs its key and the other way round")
    func tlsPair() throws {
        #expect(Self.field(["natsURL": "nats://x", "tls_client_cert": "/c.pem"]) == "tls_client_key")
        #expect(Self.field(["natsURL": "nats://x", "tls_client_key": "/k.pem"]) == "tls_client_cert")
        let settings = try Self.settings(["tls_client_cert": "/c.pem", "tls_client_key": "/k.pem"])
        #expect(settings.connection.tlsClientCertificateFile == "/c.pem")
        #expect(settings.connection.tlsClientKeyFile == "/k.pem")
    }

    @Test("domain and apiPrefix choose the JetStream API subjects")
    func domainAndPrefix() throws {
        #expect(try Self.settings(["domain": "hub"]).connection.jetStreamAPIPrefix == "$JS.hub.API")
        #expect(try Self.settings(["apiPrefix": "PREFIX"]).connection.jetStreamAPIPrefix == "PREFIX")
    }

    @Test("deliverPolicy takes all, last, new, sequence and time with their start fields")
    func deliverPolicy() throws {
        #expect(try Self.settings(["deliverPolicy": "last"]).deliverPolicy == .last)
        #expect(try Self.settings(["deliverPolicy": "new"]).deliverPolicy == .new)
        #expect(try Self.settings(["deliverPolicy": "sequence", "startSequence": "7"]).deliverPolicy == .startSequence(7))
        #expect(try Self.settings(["deliverPolicy": "time", "startTime": "1630349391"]).deliverPolicy == .startTime(nanosecondsSinceEpoch: 1_630_349_391_000_000_000))
        #expect(Self.field(["natsURL": "nats://x", "deliverPolicy": "sequence"]) == "startSequence")
        #expect(Self.field(["natsURL": "nats://x", "deliverPolicy": "time"]) == "startTime")
        #expect(Self.field(["natsURL": "nats://x", "deliverPolicy": "oldest"]) == "deliverPolicy")
    }

    @Test("deliverAll and deliverNew say all and new; both at once is an error")
    func deliverAllNew() throws {
        #expect(try Self.settings(["deliverNew": "true"]).deliverPolicy == .new)
        #expect(try Self.settings(["deliverAll": "true"]).deliverPolicy == .all)
        #expect(Self.field(["natsURL": "nats://x", "deliverAll": "true", "deliverNew": "true"]) == "deliverNew")
        #expect(try Self.settings(["startSequence": "3"]).deliverPolicy == .startSequence(3))
    }

    @Test("ackPolicy takes explicit, all and none; anything else names the field")
    func ackPolicy() throws {
        #expect(try Self.settings(["ackPolicy": "all"]).ackPolicy == .all)
        #expect(try Self.settings(["ackPolicy": "none"]).ackPolicy == .none)
        #expect(Self.field(["natsURL": "nats://x", "ackPolicy": "sometimes"]) == "ackPolicy")
    }

    @Test("consumer options map to the consumer configuration")
    func consumerOptions() throws {
        let settings = try Self.settings([
            "ackWait": "10s", "maxDeliver": "5", "backOff": "50ms, 1s, 10s", "maxAckPending": "5000", "replicas": "1", "memoryStorage": "true",
        ])
        let consumer = settings.consumer(topic: "orders", consumerGroup: "app")
        #expect(consumer.ackWait == .seconds(10))
        #expect(consumer.maxDeliver == 5)
        #expect(consumer.backOff == [.milliseconds(50), .seconds(1), .seconds(10)])
        #expect(consumer.maxAckPending == 5000)
        #expect(consumer.replicas == 1)
        #expect(consumer.memoryStorage)
        #expect(consumer.filterSubject == "orders")
        #expect(try Self.settings(["backOff": "[1s, 2s]"]).backOff == [.seconds(1), .seconds(2)])
        #expect(Self.field(["natsURL": "nats://x", "backOff": "1s, soon"]) == "backOff")
        #expect(Self.field(["natsURL": "nats://x", "ackWait": "later"]) == "ackWait")
        #expect(Self.field(["natsURL": "nats://x", "maxDeliver": "many"]) == "maxDeliver")
    }

    @Test("the durable consumer is durableName, else queueGroupName or the app id joined with the topic")
    func consumerName() throws {
        #expect(try Self.settings(["durableName": "orders-reader"]).consumerName(topic: "orders", consumerGroup: "app") == "orders-reader")
        #expect(try Self.settings(["queueGroupName": "workers"]).consumerName(topic: "orders", consumerGroup: "app") == "workers-orders")
        #expect(try Self.settings([:]).consumerName(topic: "orders.eu", consumerGroup: "app") == "app-orders_eu")
        #expect(Self.field(["natsURL": "nats://x", "durableName": "a.b"]) == "durableName")
    }

    @Test("push-consumer options are read, checked and listed as ignored")
    func pushOptions() throws {
        #expect(try Self.settings(["flowControl": "true", "heartbeat": "15s", "rateLimit": "1024"]).ignoredPushOptions == ["flowControl", "heartbeat", "rateLimit"])
        #expect(Self.field(["natsURL": "nats://x", "flowControl": "maybe"]) == "flowControl")
    }

    @Test("concurrency single runs one message at a time; parallel uses the subscription's bound")
    func concurrency() throws {
        #expect(try Self.settings(["concurrency": "single"]).singleConcurrency)
        #expect(try !Self.settings(["concurrency": "parallel"]).singleConcurrency)
        #expect(Self.field(["natsURL": "nats://x", "concurrency": "many"]) == "concurrency")
    }
}
