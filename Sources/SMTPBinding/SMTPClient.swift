import NIOCore
import NIOPosix
import NIOSSL
import OutriggerCore

/// Delivers one message per connection: connect, greeting, EHLO (HELO if refused), STARTTLS
/// when offered, AUTH when credentials are set and the server offers it, MAIL FROM, one
/// RCPT TO per recipient, DATA, QUIT.
///
/// Framing lives in ``SMTPReplyDecoder``; the dialogue is plain async code over an
/// `NIOAsyncChannel`. Every reply has the server's `timeouts.reply`; the connection is closed
/// when `send` returns or throws.
enum SMTPClient {
    static func send(_ message: MailMessage, to server: SMTPServer) async throws(SMTPError) {
        let channel: NIOAsyncChannel<SMTPReply, ByteBuffer>
        do {
            channel = try await connect(server)
        } catch {
            throw SMTPError(.connection, "cannot connect to \(server.host):\(server.port): \(error)")
        }
        do {
            try await channel.executeThenClose { inbound, outbound in
                var conversation = SMTPConversation(
                    channel: channel.channel, replies: inbound.makeAsyncIterator(), outbound: outbound,
                    server: server, encrypted: server.implicitTLS)
                try await conversation.deliver(message)
            }
        } catch let error as SMTPError {
            throw error
        } catch {
            throw SMTPError(.connection, "the connection to \(server.host):\(server.port) failed: \(error)")
        }
    }

    private static func connect(_ server: SMTPServer) async throws -> NIOAsyncChannel<SMTPReply, ByteBuffer> {
        let tls = server.implicitTLS ? server.tls : nil
        let serverName = server.tlsServerName
        return try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .connectTimeout(TimeAmount(server.timeouts.connect))
            .connect(host: server.host, port: server.port) { channel in
                channel.eventLoop.makeCompletedFuture {
                    if let tls {
                        try channel.pipeline.syncOperations.addHandler(NIOSSLClientHandler(context: tls, serverHostname: serverName))
                    }
                    try channel.pipeline.syncOperations.addHandler(ByteToMessageHandler(SMTPReplyDecoder()))
                    return try NIOAsyncChannel<SMTPReply, ByteBuffer>(wrappingChannelSynchronously: channel)
                }
            }
    }
}
