@testable import SMTPBinding
import Testing

@Suite("bindings.smtp protocol pieces")
struct SMTPProtocolTests {
    func feed(_ lines: [String]) throws -> [SMTPReply] {
        var assembler = SMTPReplyAssembler()
        return try lines.compactMap { try assembler.add(Array($0.utf8)) }
    }

    @Test("a multi-line reply ends at the line with a space after the code")
    func multiLine() throws {
        let replies = try feed(["250-mail.example.com", "250-STARTTLS", "250-AUTH PLAIN LOGIN", "250 SIZE 1000"])
        #expect(replies == [SMTPReply(code: 250, lines: ["mail.example.com", "STARTTLS", "AUTH PLAIN LOGIN", "SIZE 1000"])])
    }

    @Test("a reply of just a code is complete")
    func bareCode() throws {
        #expect(try feed(["354"]) == [SMTPReply(code: 354, lines: [""])])
    }

    @Test("a line without a three-digit code, or with a different code mid-reply, is malformed", arguments: [
        ["hello"], ["25 short"], ["250x"], ["250-first", "251 second"],
    ])
    func malformed(lines: [String]) {
        #expect(throws: SMTPReplyAssembler.MalformedLine.self) { try feed(lines) }
    }

    @Test("EHLO extensions are keyed by upper-cased keyword, the greeting line skipped")
    func extensions() {
        let reply = SMTPReply(code: 250, lines: ["mx.example.com greets you", "starttls", "AUTH LOGIN PLAIN", "8BITMIME"])
        #expect(reply.extensions == ["STARTTLS": "", "AUTH": "LOGIN PLAIN", "8BITMIME": ""])
    }

    @Test("the reply text is the code and the server's words")
    func text() {
        #expect(SMTPReply(code: 550, lines: ["5.1.1 no such user", "try again"]).text == "550 5.1.1 no such user try again")
    }

    @Test("PLAIN is chosen unless only LOGIN is offered")
    func mechanisms() throws {
        #expect(try SMTPAuthentication.choose(offered: "LOGIN PLAIN", encrypted: true, host: "smtp.example.com") == .plain)
        #expect(try SMTPAuthentication.choose(offered: "LOGIN", encrypted: true, host: "smtp.example.com") == .login)
        #expect(try SMTPAuthentication.choose(offered: "XOAUTH2", encrypted: true, host: "smtp.example.com") == .plain)
    }

    @Test("the password is not sent unencrypted to a server on another machine")
    func unencryptedRemote() {
        #expect(throws: SMTPError.self) { try SMTPAuthentication.choose(offered: "PLAIN", encrypted: false, host: "smtp.example.com") }
        #expect(throws: SMTPError.self) { try SMTPAuthentication.choose(offered: "LOGIN", encrypted: false, host: "10.0.0.5") }
    }

    @Test("the password may go unencrypted to a server on this machine", arguments: ["localhost", "127.0.0.1", "::1"])
    func unencryptedLocal(host: String) throws {
        #expect(try SMTPAuthentication.choose(offered: "PLAIN", encrypted: false, host: host) == .plain)
    }

    @Test("AUTH PLAIN's response is base64 of NUL user NUL password")
    func plainResponse() {
        #expect(SMTPAuthentication.plainResponse(user: "outrigger", password: "outrigger-secret") == "AG91dHJpZ2dlcgBvdXRyaWdnZXItc2VjcmV0")
    }

    @Test("4xx replies, lost connections and timeouts are transient; 5xx, TLS and refusals are not")
    func transience() {
        #expect(SMTPError(.rejected(code: 451), "").isTransient)
        #expect(!SMTPError(.rejected(code: 550), "").isTransient)
        #expect(SMTPError(.timeout, "").isTransient)
        #expect(SMTPError(.connection, "").isTransient)
        #expect(!SMTPError(.tls, "").isTransient)
        #expect(!SMTPError(.refused, "").isTransient)
    }
}
