import Foundation
import MQTTComponents
import OutriggerCore
import OutriggerTesting
import Testing

@Suite("pubsub.mqtt3 over TLS (a private mosquitto)")
struct MQTTTLSTests {
    @Test("ssl:// with caCert, clientCert and clientKey as PEM text publishes and receives through a broker that requires client certificates")
    func mutualTLS() async throws {
        guard let certificates = try await TestCertificates.make() else {
            if ProcessInfo.processInfo.environment["CI"] == "true" { Issue.record("openssl is not installed (Debian package openssl)") }
            try Test.cancel("openssl is not installed")
        }
        defer { certificates.remove() }
        let broker = try PrivateBroker(listenerOptions: """
            cafile \(certificates.path("ca.pem"))
            certfile \(certificates.path("server.pem"))
            keyfile \(certificates.path("server.key"))
            require_certificate true
            """)
        try await broker.start()
        defer { broker.discard() }
        var properties = [
            "url": "ssl://127.0.0.1:\(broker.port)", "consumerID": "tls-\(UUID().uuidString.prefix(8))",
            "caCert": try certificates.text("ca.pem"),
        ]
        // Without a client certificate the broker refuses the handshake: start-up fails naming url.
        await #expect(throws: ComponentConfigurationError.self) {
            _ = try await MQTTPubSub.start(metadata: ComponentMetadata(name: "tls", type: "pubsub.mqtt3", appID: "a", properties: properties))
        }
        properties["clientCert"] = try certificates.text("client.pem")
        properties["clientKey"] = try certificates.text("client.key")
        let pubsub = try await MQTTPubSub.start(metadata: ComponentMetadata(name: "tls", type: "pubsub.mqtt3", appID: "a", properties: properties))
        let inbox = Inbox()
        let subscription = try await pubsub.subscribe(SubscribeRequest(topic: "secure", consumerGroup: "g")) { inbox.add($0) }
        try await pubsub.publish(OutgoingMessage(topic: "secure", data: Array("over tls".utf8), contentType: "text/plain"))
        #expect(await inbox.wait(for: 1))
        #expect(inbox.messages.first?.data == Array("over tls".utf8))
        await subscription.cancel()
        try await pubsub.close()
    }
}
