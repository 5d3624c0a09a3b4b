import Foundation
import MQTTComponents
import OutriggerCore
import Testing

/// A certificate authority, a server certificate for 127.0.0.1 and a client certificate, made
/// with the openssl command line for one test.
struct TestCertificates {
    let directory: URL

    init(in directory: URL) throws {
        guard FileManager.default.isExecutableFile(atPath: "/usr/bin/openssl") else {
            if ProcessInfo.processInfo.environment["CI"] == "true" { Issue.record("openssl is not installed (Debian package openssl)") }
            try Test.cancel("openssl is not installed")
        }
        self.directory = directory
        let ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"]
        try "subjectAltName=IP:127.0.0.1,DNS:localhost\n".write(to: directory.appendingPathComponent("san.ext"), atomically: true, encoding: .utf8)
        try run(["req", "-x509"] + ec + ["-keyout", "ca.key", "-out", "ca.pem", "-days", "1", "-subj", "/CN=outrigger-test-ca"])
        try run(["req"] + ec + ["-keyout", "server.key", "-out", "server.csr", "-subj", "/CN=127.0.0.1"])
        try run(["x509", "-req", "-in", "server.csr", "-CA", "ca.pem", "-CAkey", "ca.key", "-CAcreateserial", "-out", "server.pem", "-days", "1", "-extfile", "san.ext"])
        try run(["req"] + ec + ["-keyout", "client.key", "-out", "client.csr", "-subj", "/CN=outrigger-test-client"])
        try run(["x509", "-req", "-in", "client.csr", "-CA", "ca.pem", "-CAkey", "ca.key", "-CAcreateserial", "-out", "client.pem", "-days", "1"])
        // mosquitto, started as root, reads them as its own user.
        for name in ["ca.pem", "server.pem", "server.key"] {
            try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: path(name))
        }
    }

    func path(_ name: String) -> String { directory.appendingPathComponent(name).path }

    func text(_ name: String) throws -> String { try String(contentsOfFile: path(name), encoding: .utf8) }

    private func run(_ arguments: [String]) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/openssl")
        process.arguments = arguments
        process.currentDirectoryURL = directory
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { throw PrivateBroker.BrokerFailed(reason: "openssl \(arguments.joined(separator: " ")) failed") }
    }
}

@Suite("pubsub.mqtt3 over TLS (a private mosquitto)")
struct MQTTTLSTests {
    @Test("ssl:// with caCert, clientCert and clientKey as PEM text publishes and receives through a broker that requires client certificates")
    func mutualTLS() async throws {
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("outrigger-mqtt-tls-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o755])
        defer { try? FileManager.default.removeItem(at: scratch) }
        let certificates = try TestCertificates(in: scratch)
        let broker = try PrivateBroker(listenerOptions: """
            cafile \(certificates.path("ca.pem"))
            certfile \(certificates.path("server.pem"))
            keyfile \(certificates.path("server.key"))
            require_certificate true
            """)
        try await broker.start()
        defer { broker.stop() }
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
