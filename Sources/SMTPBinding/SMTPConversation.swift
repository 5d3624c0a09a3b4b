import NIOCore
import NIOSSL
import OutriggerCore

/// The reply a command waits for did not come in time.
struct SMTPReplyTimeout: Error {}

/// One SMTP dialogue on an open connection.
struct SMTPConversation {
    let channel: any Channel
    var replies: NIOAsyncChannelInboundStream<SMTPReply>.AsyncIterator
    let outbound: NIOAsyncChannelOutboundWriter<ByteBuffer>
    let server: SMTPServer
    /// True once TLS is on (port 465, or after STARTTLS).
    var encrypted: Bool

    mutating func deliver(_ message: MailMessage) async throws {
        let greeting = try await reply(to: "the connection (greeting)")
        guard greeting.code == 220 else { throw rejection(greeting, "the connection (greeting)") }
        var extensions = try await hello()
        if !encrypted, extensions["STARTTLS"] != nil {
            try await command("STARTTLS", expecting: [220])
            try await startTLS()
            extensions = try await command("EHLO \(server.localName)", expecting: [250]).extensions
        }
        if let credentials = server.credentials, let offered = extensions["AUTH"] {
            try await authenticate(credentials, offered: offered)
        }
        try await command("MAIL FROM:<\(message.from.address)>", expecting: [250])
        for recipient in message.recipients {
            try await command("RCPT TO:<\(recipient)>", expecting: [250, 251])
        }
        try await command("DATA", expecting: [354])
        try await write(MailMessage.dataSection(message.rendered()), what: "the message")
        let accepted = try await reply(to: "the message")
        guard accepted.code == 250 else { throw rejection(accepted, "the message") }
        // The message is accepted; a failing or slow QUIT changes nothing (Dapr ignores it too).
        _ = try? await command("QUIT", expecting: [221], within: .seconds(5))
    }

    /// EHLO, or HELO when the server refuses EHLO; the extensions EHLO announced.
    private mutating func hello() async throws -> [String: String] {
        try await write(Array("EHLO \(server.localName)\r\n".utf8), what: "EHLO")
        let ehlo = try await reply(to: "EHLO")
        if ehlo.code == 250 { return ehlo.extensions }
        try await command("HELO \(server.localName)", expecting: [250])
        return [:]
    }

    private mutating func startTLS() async throws {
        let channel = channel, context = server.tls, serverName = server.tlsServerName
        try await channel.eventLoop.submit {
            // First in the pipeline: below the reply decoder, next to the socket.
            try channel.pipeline.syncOperations.addHandler(NIOSSLClientHandler(context: context, serverHostname: serverName), position: .first)
        }.get()
        encrypted = true
    }

    private mutating func authenticate(_ credentials: (user: String, password: String), offered: String) async throws {
        switch try SMTPAuthentication.choose(offered: offered, encrypted: encrypted, host: server.host) {
        case .plain:
            let response = SMTPAuthentication.plainResponse(user: credentials.user, password: credentials.password)
            try await command("AUTH PLAIN \(response)", shown: "AUTH PLAIN", expecting: [235])
        case .login:
            try await command("AUTH LOGIN", expecting: [334])
            try await command(MIMEEncoding.base64(Array(credentials.user.utf8)), shown: "the AUTH LOGIN user name", expecting: [334])
            try await command(MIMEEncoding.base64(Array(credentials.password.utf8)), shown: "the AUTH LOGIN password", expecting: [235])
        }
    }

    /// Sends `line` and checks the reply code; `shown` replaces the line in errors (credentials).
    @discardableResult
    private mutating func command(
        _ line: String, shown: String? = nil, expecting codes: Set<Int>, within limit: Duration? = nil
    ) async throws -> SMTPReply {
        let what = shown ?? line
        try await write(Array((line + "\r\n").utf8), what: what)
        let answer = try await reply(to: what, within: limit)
        guard codes.contains(answer.code) else { throw rejection(answer, what) }
        return answer
    }

    private mutating func write(_ bytes: [UInt8], what: String) async throws {
        do {
            try await outbound.write(ByteBuffer(bytes: bytes))
        } catch {
            // The connection closed under the write; why (a TLS alert, the server hanging up
            // with a reply) is waiting in the inbound stream.
            do {
                let last = try await reply(to: what)
                throw SMTPError(.connection, "\(server.host):\(server.port) closed the connection after '\(last.text)'")
            } catch let cause as SMTPError {
                throw cause
            }
        }
    }

    /// The next reply, or an error when none comes within `limit` (default: the reply timeout).
    private mutating func reply(to what: String, within limit: Duration? = nil) async throws -> SMTPReply {
        let channel = channel, limit = limit ?? server.timeouts.reply
        let timer = channel.eventLoop.scheduleTask(in: TimeAmount(limit)) {
            channel.pipeline.fireErrorCaught(SMTPReplyTimeout())
        }
        defer { timer.cancel() }
        do {
            guard let reply = try await replies.next() else {
                throw SMTPError(.connection, "\(server.host):\(server.port) closed the connection instead of answering \(what)")
            }
            return reply
        } catch let error as SMTPError {
            throw error
        } catch is SMTPReplyTimeout {
            throw SMTPError(.timeout, "\(server.host):\(server.port) did not answer \(what) within \(GoDuration.format(limit))")
        } catch where error is NIOSSLError || error is BoringSSLError || error is NIOSSLExtraError {
            throw SMTPError(.tls, "TLS with \(server.host):\(server.port) failed: \(error)")
        } catch let error as SMTPReplyAssembler.MalformedLine {
            throw SMTPError(.refused, "\(server.host):\(server.port): \(error)")
        } catch {
            throw SMTPError(.connection, "reading the reply to \(what) from \(server.host):\(server.port) failed: \(error)")
        }
    }

    private func rejection(_ reply: SMTPReply, _ what: String) -> SMTPError {
        SMTPError(.rejected(code: reply.code), "the SMTP server refused \(what): \(reply.text)")
    }
}
