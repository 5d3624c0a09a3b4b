import Foundation
import OutriggerCore
import OutriggerTesting
import RabbitMQComponents
import Testing

/// `amqps` against a private rabbitmq-server listening with TLS (``PrivateRabbitMQ``).
@Suite("pubsub.rabbitmq over TLS", .serialized)
struct TLSTests {
    @Test("amqps with caCert and a client certificate publishes and delivers; an untrusted broker fails start-up")
    func roundTrip() async throws {
        guard let certificates = try await TestCertificates.make(clientName: "guest") else { try Test.cancel("openssl is not installed") }
        defer { certificates.remove() }
        let ca = try certificates.text("ca.pem")
        let broker = try PrivateRabbitMQ(tls: (ca, try certificates.text("server.pem"), try certificates.text("server.key")))
        try await broker.start()
        let port = try #require(broker.tlsPort)
        let metadata = ComponentMetadata(name: "tls", type: "pubsub.rabbitmq", properties: [
            "connectionString": "amqps://guest:guest@localhost:\(port)/", "caCert": ca,
            "clientCert": try certificates.text("client.pem"), "clientKey": try certificates.text("client.key"),
        ])
        let pubsub = try await RabbitMQPubSub.start(metadata: metadata)
        let received = Received()
        let subscription = try await pubsub.subscribe(SubscribeRequest(topic: "secure", consumerGroup: "app")) { received.append($0) }
        try await pubsub.publish(OutgoingMessage(topic: "secure", data: Array("over tls".utf8), contentType: "text/plain"))
        #expect(try await received.wait(for: 1).first?.data == Array("over tls".utf8))
        await subscription.cancel()
        try await pubsub.close()

        // Without the CA the broker's certificate is not trusted.
        let untrusted = ComponentMetadata(name: "tls", type: "pubsub.rabbitmq", properties: ["connectionString": "amqps://guest:guest@localhost:\(port)/"])
        await #expect {
            _ = try await RabbitMQPubSub.start(metadata: untrusted)
        } throws: { error in
            (error as? ComponentConfigurationError)?.field == "connectionString"
        }
    }
}
