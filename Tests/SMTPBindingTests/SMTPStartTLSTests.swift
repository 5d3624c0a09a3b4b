import Foundation
import OutriggerCore
import OutriggerTesting
@testable import SMTPBinding
import Testing

/// A sink of its own that offers STARTTLS with a self-signed certificate made by `openssl`.
final class TLSMailSink {
    let sink: MailSink
    private let process: AwaitableProcess
    private let directory: URL

    /// nil (after printing SKIPPED, and recording an issue when `CI=true`) when openssl or
    /// Debian's python3-aiosmtpd is missing.
    static func start(_ test: String) async throws -> TLSMailSink? {
        let python = "/usr/bin/python3"
        guard FileManager.default.isExecutableFile(atPath: "/usr/bin/openssl"), try await AwaitableProcess.run(python, ["-c", "import aiosmtpd"]) == 0 else {
            MailSink.skip(test, because: "needs /usr/bin/openssl and Debian's python3-aiosmtpd")
            return nil
        }
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("outrigger-smtp-tls-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let status = try await AwaitableProcess.run("/usr/bin/openssl", [
            "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-days", "2",
            "-subj", "/CN=localhost", "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1",
            "-keyout", directory.appendingPathComponent("key.pem").path, "-out", directory.appendingPathComponent("cert.pem").path,
        ])
        guard status == 0 else { throw MailFormatError(description: "openssl req failed with status \(status)") }
        let port = try SilentListener().port  // a free port, released again
        // Errors discarded: aiosmtpd prints a traceback for every failed handshake.
        let process = try AwaitableProcess(python, [
            MailSink.repositoryRoot.appendingPathComponent("conformance/smtp-sink/server.py").path,
            "--port", String(port), "--dir", directory.appendingPathComponent("mail").path,
            "--tls-cert", directory.appendingPathComponent("cert.pem").path, "--tls-key", directory.appendingPathComponent("key.pem").path,
        ])
        let sink = TLSMailSink(sink: MailSink(port: port, directory: directory.appendingPathComponent("mail")), process: process, directory: directory)
        try await withTimeLimit(.seconds(30)) {
            // The sink needs a moment to start Python and bind; poll until it accepts.
            while !TCPPortCheck.accepts(host: "127.0.0.1", port: port) {
                guard process.isRunning else { throw MailFormatError(description: "the SMTP sink exited with status \(process.status ?? -1)") }
                try await Task.sleep(for: .milliseconds(50))
            }
        }
        return sink
    }

    private init(sink: MailSink, process: AwaitableProcess, directory: URL) {
        self.sink = sink
        self.process = process
        self.directory = directory
    }

    /// For a `defer`: the sink is ended, not awaited (Foundation reaps it).
    func stop() {
        if process.isRunning { kill(process.pid, SIGTERM) }
        try? FileManager.default.removeItem(at: directory)
    }
}

@Suite("bindings.smtp STARTTLS")
struct SMTPStartTLSTests {
    func binding(_ sink: MailSink, _ extra: [String: String]) throws -> SMTPBinding {
        let properties = ["host": sink.host, "port": String(sink.port), "emailFrom": "a@example.com", "subject": "TLS"]
        return try SMTPBinding(metadata: smtpMetadata(properties.merging(extra) { $1 }))
    }

    @Test("when the server offers STARTTLS the message travels encrypted, logged in after the upgrade")
    func startTLS() async throws {
        guard let server = try await TLSMailSink.start("STARTTLS") else { return }
        defer { server.stop() }
        let to = uniqueAddress("tls")
        let binding = try binding(server.sink, ["skipTLSVerify": "true", "user": "outrigger", "password": "outrigger-secret"])
        _ = try await binding.invoke(BindingRequest(operation: "create", data: Array("<p>secret</p>".utf8), metadata: ["emailTo": to]))
        let mail = try #require(try server.sink.message(to: to))
        #expect(mail.tls)
        #expect(mail.login == "outrigger")
        #expect(mail.body == "<p>secret</p>\n")
    }

    @Test("a self-signed certificate is refused unless skipTLSVerify is true")
    func untrustedCertificate() async throws {
        guard let server = try await TLSMailSink.start("STARTTLS certificate check") else { return }
        defer { server.stop() }
        let binding = try binding(server.sink, [:])
        let error = await #expect(throws: ComponentError.self) {
            try await binding.invoke(BindingRequest(operation: "create", data: [], metadata: ["emailTo": uniqueAddress("tls")]))
        }
        #expect(error?.kind == .terminal)
        #expect(error?.message.contains("TLS") == true)
    }
}
