import Foundation
import OutriggerCore
import RedisClient
import RedisComponents
import Testing
import OutriggerTesting

/// A redis-server speaking TLS with a certificate the test trusts as a root: the listener
/// `conformance/brokers.sh up redis` opens on 127.0.0.1:6380, or one of the test's own when
/// that does not answer.
struct TLSServer {
    var port: Int
    var certificatePEM: String
    /// The test's own server, stopped by ``stop()``; `nil` for the shared one.
    var own: RedisServerProcess?

    static let sharedPort = 6380

    /// The shared listener's certificate, where brokers.sh writes it (per port, whichever
    /// checkout started the server).
    static var sharedCertificatePath: String {
        let folder = ProcessInfo.processInfo.environment["OUTRIGGER_REDIS_TLS_DIR"] ?? "/tmp/outrigger-redis-tls-\(sharedPort)"
        return folder + "/cert.pem"
    }

    /// Skips the test when neither can be had.
    static func make(_ test: String = #function) async throws -> TLSServer {
        if let pem = try? String(contentsOfFile: sharedCertificatePath, encoding: .utf8), RedisServerProcess.accepts(port: sharedPort) {
            return TLSServer(port: sharedPort, certificatePEM: pem)
        }
        try RedisServerProcess.requireInstalled(test)
        guard let certificates = try await TestCertificates.make() else {
            try TestRedis.skip("RedisComponentsTests.\(test): /usr/bin/openssl is not installed (apt-get install openssl)")
        }
        defer { certificates.remove() }
        let server = try await RedisServerProcess.start(tls: certificates)
        return TLSServer(port: server.port, certificatePEM: try certificates.text("ca.pem"), own: server)
    }

    func stop() { own?.stop() }
}

@Suite("TLS to redis-server with a self-signed certificate")
struct TLSTests {
    @Test("enableTLS with insecureSkipTLSVerify publishes and delivers over TLS")
    func roundTripOverTLS() async throws {
        let server = try await TLSServer.make()
        defer { server.stop() }
        let pubsub = try await TestRedis.pubsub(["enableTLS": "true", "insecureSkipTLSVerify": "true"], host: "127.0.0.1:\(server.port)")
        let topic = TestRedis.uniqueTopic("tls")
        let log = DeliveryLog()
        let subscription = try await pubsub.subscribe(SubscribeRequest(topic: topic, consumerGroup: "g")) { await log.record($0) }
        try await pubsub.publish("secret", to: topic)
        try await withDeadline(.seconds(60), "the message over TLS") { await log.waitForAll(["secret"]) }
        await subscription.cancel()
        try await pubsub.close()
    }

    @Test("bindings.redis works over TLS too")
    func bindingOverTLS() async throws {
        let server = try await TLSServer.make()
        defer { server.stop() }
        let binding = try await RedisBinding.start(metadata: TestRedis.metadata(
            ["enableTLS": "true", "insecureSkipTLSVerify": "true"], type: "bindings.redis", host: "127.0.0.1:\(server.port)"))
        let key = TestRedis.uniqueTopic("tls-key")
        _ = try await binding.invoke(BindingRequest(operation: "create", data: Array("v"), metadata: ["key": key, "ttlInSeconds": "60"]))
        #expect(try await binding.invoke(BindingRequest(operation: "get", data: [], metadata: ["key": key, "delete": "true"])).data == Array("v"))
        try await binding.close()
    }

    @Test("the certificate is verified: trusted as a root it connects, untrusted start-up fails naming redisHost, plain TCP fails")
    func verification() async throws {
        let server = try await TLSServer.make()
        defer { server.stop() }
        var configuration = RedisConfiguration(host: "localhost", port: server.port)
        configuration.tls = RedisTLSConfiguration(additionalTrustRootsPEM: server.certificatePEM)
        let client = try await RedisClient.connect(configuration)
        #expect(try await client.send(RedisCommand("PING")) == .simpleString("PONG"))
        await client.close()

        let untrusted = await #expect(throws: ComponentConfigurationError.self) {
            try await TestRedis.pubsub(["enableTLS": "true", "dialTimeout": "2s"], host: "localhost:\(server.port)")
        }
        #expect(untrusted?.field == "redisHost")
        await #expect(throws: ComponentConfigurationError.self) {
            try await TestRedis.pubsub(["dialTimeout": "2s", "readTimeout": "1s"], host: "127.0.0.1:\(server.port)")
        }
    }
}
