/// Why sending a message failed.
public struct SMTPError: Error, Sendable, CustomStringConvertible {
    /// What went wrong.
    public enum Kind: Sendable, Equatable {
        /// The server answered a command with a 4xx (transient) or 5xx (permanent) reply.
        case rejected(code: Int)
        /// No connection, or the connection broke.
        case connection
        /// The server did not answer within the time limit.
        case timeout
        /// The TLS handshake failed (certificate not trusted, protocol mismatch).
        case tls
        /// The client refused to go on (password over an unencrypted connection, no usable
        /// authentication mechanism, a malformed reply).
        case refused
    }

    /// What went wrong.
    public var kind: Kind
    /// What happened, with the server's reply when there was one; never a password.
    public var message: String

    /// A failure of `kind` described by `message`.
    public init(_ kind: Kind, _ message: String) {
        self.kind = kind
        self.message = message
    }

    /// Whether the same message may go through later: 4xx replies, lost connections, timeouts.
    public var isTransient: Bool {
        switch kind {
        case .rejected(let code): return (400..<500).contains(code)
        case .connection, .timeout: return true
        case .tls, .refused: return false
        }
    }

    /// The message.
    public var description: String { message }
}
