import NIOCore
import NIOSSL

/// Where the SMTP server is and how to talk to it.
struct SMTPServer: Sendable {
    /// Time limits of one delivery.
    struct Timeouts: Sendable {
        /// Establishing the TCP connection (Dapr's mail library waits 10 s).
        var connect: Duration
        /// Each reply, from the greeting to the answer to the message's final dot.
        var reply: Duration

        static let standard = Timeouts(connect: .seconds(10), reply: .seconds(60))
    }

    var host: String
    var port: Int
    var credentials: (user: String, password: String)?
    /// Certificate checks as `skipTLSVerify` says, built once (loading the trust roots is slow).
    var tls: NIOSSLContext
    var timeouts: Timeouts
    /// The name given in EHLO/HELO, as Go's `net/smtp` does.
    var localName = "localhost"

    /// Port 465 is SMTP over TLS from the first byte (RFC 8314); others may upgrade with STARTTLS.
    var implicitTLS: Bool { port == 465 }

    /// The server name for SNI and certificate checks; nil for an IP address (not allowed in SNI).
    var tlsServerName: String? {
        (try? SocketAddress(ipAddress: host, port: 0)) == nil ? host : nil
    }

    init(_ settings: SMTPBindingMetadata, timeouts: Timeouts) throws {
        host = settings.host
        port = settings.port
        credentials = settings.credentials
        var configuration = TLSConfiguration.makeClientConfiguration()
        if settings.skipTLSVerify { configuration.certificateVerification = .none }
        tls = try NIOSSLContext(configuration: configuration)
        self.timeouts = timeouts
    }
}
