/// A failed Redis command, sorted by what went wrong.
public enum RedisError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The server answered with an error reply (`WRONGTYPE`, `NOGROUP`, `WRONGPASS` ...). The
    /// connection is fine.
    case server(RedisServerError)
    /// No connection could be made (refused, unreachable, no answer within the dial timeout,
    /// TLS handshake failed).
    case connectFailed(String)
    /// The connection broke while the command was outstanding, or was already broken; whether
    /// the server ran the command is unknown.
    case connectionLost(String)
    /// No reply within the read timeout; the connection was closed (a late reply would be
    /// matched to the wrong command).
    case timeout(Duration)
    /// The server sent something that is not RESP; the connection was closed.
    case protocolError(String)
    /// The connection or client was closed by its owner.
    case closed

    /// What went wrong, for logs and error messages; never a command's arguments.
    public var description: String {
        switch self {
        case .server(let error): error.message
        case .connectFailed(let reason): "cannot connect: \(reason)"
        case .connectionLost(let reason): "connection lost: \(reason)"
        case .timeout(let limit): "no reply within \(limit)"
        case .protocolError(let reason): "protocol error: \(reason)"
        case .closed: "the connection is closed"
        }
    }

    /// Whether the connection is gone (everything but a server's error reply): its owner should
    /// connect again.
    public var isConnectionProblem: Bool {
        if case .server = self { return false }
        return true
    }

    /// The server's error code (`BUSYGROUP`, `NOGROUP` ...) when it answered with an error.
    public var serverCode: String? {
        if case .server(let error) = self { return error.code }
        return nil
    }
}

/// An error reply, e.g. `BUSYGROUP Consumer Group name already exists`.
public struct RedisServerError: Sendable, Equatable, CustomStringConvertible {
    /// The first word (`ERR`, `WRONGTYPE`, `NOGROUP`, `WRONGPASS`, `NOAUTH`, `NOPERM` ...).
    public var code: String
    /// The whole reply text, code included.
    public var message: String

    /// The error reply `message`; its first word is the ``code``.
    public init(message: String) {
        self.message = message
        self.code = String(message.prefix { $0 != " " })
    }

    public var description: String { message }

    /// Whether the server may accept the same command a little later: it is loading its data
    /// (`LOADING`), busy with a script (`BUSY`), out of memory (`OOM`), a replica or cut off
    /// from its primary (`READONLY`, `MASTERDOWN`), or asks for it (`TRYAGAIN`).
    public var isTransient: Bool {
        ["LOADING", "BUSY", "OOM", "READONLY", "MASTERDOWN", "TRYAGAIN", "CLUSTERDOWN"].contains(code)
    }

    /// Whether the server refused the credentials (trying again with them cannot help).
    public var isAuthenticationFailure: Bool {
        ["WRONGPASS", "NOAUTH", "NOPERM"].contains(code) || message.hasPrefix("ERR invalid password")
            || message.hasPrefix("ERR AUTH")
    }
}
