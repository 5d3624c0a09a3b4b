import Foundation
import OutriggerCore
@testable import SMTPBinding
import Testing

/// `bindings.smtp` against the real SMTP sink of `conformance/brokers.sh up smtp` (aiosmtpd on
/// 127.0.0.1:2525, every message written to `$OUTRIGGER_SMTP_MAIL_DIR` (default `/tmp/outrigger-smtp-sink-2525/`)).
@Suite("bindings.smtp against the SMTP sink")
struct SMTPBindingTests {
    /// Sends one message through a binding on the managed sink; nil when the sink is absent.
    func send(
        _ test: String, component: [String: String] = [:], request: [String: String], data: String = "<p>Hello</p>"
    ) async throws -> MailSink? {
        guard let sink = MailSink.managed(test) else { return nil }
        let properties = ["host": sink.host, "port": String(sink.port), "emailFrom": "Outrigger <outrigger@example.com>", "subject": "Test"]
        let binding = try SMTPBinding(metadata: smtpMetadata(properties.merging(component) { $1 }))
        _ = try await binding.invoke(BindingRequest(operation: "create", data: Array(data.utf8), metadata: request))
        try await binding.close()
        return sink
    }

    @Test("the message arrives with From, To, Cc, Subject and X-Priority headers and the HTML body")
    func headers() async throws {
        let to = uniqueAddress("to"), cc = uniqueAddress("cc")
        guard let sink = try await send("headers", component: ["priority": "2"], request: ["emailTo": "Jane <\(to)>", "emailCC": cc]) else { return }
        let mail = try #require(try sink.message(to: to))
        #expect(mail.mailFrom == "outrigger@example.com")
        #expect(mail.header("From") == "Outrigger <outrigger@example.com>")
        #expect(mail.header("To") == "Jane <\(to)>")
        #expect(mail.header("Cc") == cc)
        #expect(mail.header("Subject") == "Test")
        #expect(mail.header("X-Priority") == "2")
        #expect(mail.header("Content-Type") == "text/html; charset=UTF-8")
        #expect(mail.header("Message-ID")?.hasSuffix("@example.com>") == true)
        #expect(mail.header("Date") != nil)
        #expect(mail.body == "<p>Hello</p>\n")
    }

    @Test("BCC recipients receive the message but appear in no header")
    func bcc() async throws {
        let to = uniqueAddress("to"), hidden = uniqueAddress("bcc")
        guard let sink = try await send("bcc", request: ["emailTo": to, "emailBCC": hidden]) else { return }
        let mail = try #require(try sink.message(to: to))
        #expect(Set(mail.recipients) == [to, hidden])
        #expect(!mail.text.contains(hidden))
        #expect(mail.header("Bcc") == nil)
    }

    @Test("request metadata overrides the component's sender, recipients, subject and priority")
    func overrides() async throws {
        let configured = uniqueAddress("configured"), to = uniqueAddress("override")
        let component = ["emailTo": configured, "subject": "Configured", "priority": "5"]
        let request = ["emailFrom": "sender@example.org", "emailTo": to, "subject": "Overridden", "priority": "1"]
        guard let sink = try await send("overrides", component: component, request: request) else { return }
        let mail = try #require(try sink.message(to: to))
        #expect(mail.mailFrom == "sender@example.org")
        #expect(mail.recipients == [to])
        #expect(mail.header("Subject") == "Overridden")
        #expect(mail.header("X-Priority") == "1")
        #expect(try sink.message(to: configured) == nil)
    }

    @Test("a body line that starts with a dot, or is just a dot, arrives intact")
    func dotStuffing() async throws {
        let to = uniqueAddress("dots")
        let body = "first line\n.hidden line\n.\n..two dots\nlast line"
        guard let sink = try await send("dot-stuffing", request: ["emailTo": to], data: body) else { return }
        let mail = try #require(try sink.message(to: to))
        #expect(mail.body == body + "\n")
    }

    @Test("a non-ASCII subject arrives encoded and decodes to the original")
    func unicodeSubject() async throws {
        let to = uniqueAddress("utf8")
        let subject = "Grüße, 東京 — naïve café ✓ " + String(repeating: "ü", count: 40)
        guard let sink = try await send("non-ASCII subject", request: ["emailTo": to, "subject": subject]) else { return }
        let mail = try #require(try sink.message(to: to))
        #expect(mail.header("Subject") == subject)
        #expect(mail.text.utf8.allSatisfy { $0 < 0x80 })  // the whole message is 7-bit
    }

    @Test("a refused recipient fails the invocation with the server's reply")
    func refusedRecipient() async throws {
        guard let sink = MailSink.managed("refused recipient") else { return }
        let binding = try SMTPBinding(metadata: smtpMetadata(["host": sink.host, "port": String(sink.port), "emailFrom": "a@example.com", "subject": "x"]))
        let error = await #expect(throws: ComponentError.self) {
            try await binding.invoke(BindingRequest(operation: "create", data: [], metadata: ["emailTo": "reject-\(UUID().uuidString)@example.com"]))
        }
        #expect(error?.kind == .terminal)
        #expect(error?.message.contains("550") == true)
        #expect(error?.message.contains("recipient address rejected") == true)
    }

    @Test("user and password log in with AUTH before sending")
    func authentication() async throws {
        let to = uniqueAddress("auth")
        guard let sink = try await send("authentication", component: ["user": "outrigger", "password": "outrigger-secret"], request: ["emailTo": to]) else { return }
        let mail = try #require(try sink.message(to: to))
        #expect(mail.login == "outrigger")
    }

    @Test("a wrong password fails the invocation with the server's reply")
    func wrongPassword() async throws {
        guard let sink = MailSink.managed("wrong password") else { return }
        let properties = ["host": sink.host, "port": String(sink.port), "user": "outrigger", "password": "wrong",
                          "emailFrom": "a@example.com", "emailTo": uniqueAddress("auth"), "subject": "x"]
        let binding = try SMTPBinding(metadata: smtpMetadata(properties))
        let error = await #expect(throws: ComponentError.self) {
            try await binding.invoke(BindingRequest(operation: "create", data: []))
        }
        #expect(error?.message.contains("535") == true)
        #expect(error?.message.contains("AUTH PLAIN") == true)
        #expect(error?.message.contains("wrong") == false)  // the password never appears
    }
}
