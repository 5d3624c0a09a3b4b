import CNats
import CLibraryLoader

/// A failure reported by libnats or by the NATS server, as a Swift value.
///
/// `code` is libnats' status name (`NATS_TIMEOUT`, `NATS_CONNECTION_CLOSED` ...), and
/// `jetStreamCode` the JetStream API error code when the server sent one (10059: stream not
/// found, 10014: consumer not found ...), else 0.
public struct NATSError: Error, Sendable, CustomStringConvertible, Equatable {
    /// What kind of failure it is, as far as a caller decides anything from it.
    public enum Kind: Sendable, Equatable {
        /// The connection is closed or broke: a new connection is needed.
        case connection
        /// The server refused the credentials.
        case authentication
        /// An operation waited too long (no answer, no message).
        case timeout
        /// Nothing listens on the subject (a JetStream publish to a subject no stream captures).
        case noResponders
        /// The named thing does not exist (stream, consumer, message).
        case notFound
        case other
    }

    /// What kind of failure it is.
    public var kind: Kind
    /// libnats' status name, e.g. `NATS_TIMEOUT`.
    public var code: String
    /// The JetStream API error code, or 0.
    public var jetStreamCode: Int
    /// The most specific text libnats or the server gave.
    public var text: String

    /// An error with the given fields (libnats' errors are made by the client itself).
    public init(kind: Kind, code: String, jetStreamCode: Int = 0, text: String) {
        self.kind = kind
        self.code = code
        self.jetStreamCode = jetStreamCode
        self.text = text
    }

    /// The text, with the status name and JetStream code.
    public var description: String {
        jetStreamCode == 0 ? "\(text) (\(code))" : "\(text) (\(code), JetStream error \(jetStreamCode))"
    }

    /// Whether the connection this came from is unusable now.
    public var isConnectionProblem: Bool { kind == .connection }

    /// The thread or connection was closed before the operation started.
    public static let closed = NATSError(kind: .connection, code: "NATS_CONNECTION_CLOSED", text: "connection closed")

    /// Loads libnats unless it is (CLibraryLoader); why it cannot be, as an error. Before any
    /// libnats call.
    static func loadLibrary() throws(NATSError) {
        guard let failure = outrigger_load_nats() else { return }
        throw NATSError(kind: .other, code: "NATS_NOT_FOUND", text: String(cString: failure))
    }

    /// The error for `status` (not `NATS_OK`), with libnats' last error text of this thread.
    /// Call on the thread that made the failing call: the text is kept per thread.
    static func last(_ status: natsStatus, jetStream: jsErrCode = jsErrCode(rawValue: 0), _ context: String) -> NATSError {
        var lastStatus = NATS_OK
        let detail = nats_GetLastError(&lastStatus).map { String(cString: $0) } ?? ""
        let statusText = String(cString: natsStatus_GetText(status))
        let text = detail.isEmpty || detail == statusText ? statusText : detail
        return NATSError(kind: kind(of: status), code: name(of: status), jetStreamCode: Int(jetStream.rawValue), text: "\(context): \(text)")
    }

    private static func kind(of status: natsStatus) -> Kind {
        switch status {
        case NATS_CONNECTION_CLOSED, NATS_NO_SERVER, NATS_STALE_CONNECTION, NATS_CONNECTION_DISCONNECTED, NATS_IO_ERROR, NATS_SECURE_CONNECTION_REQUIRED,
            NATS_SSL_ERROR:
            .connection
        case NATS_CONNECTION_AUTH_FAILED, NATS_NOT_PERMITTED: .authentication
        case NATS_TIMEOUT: .timeout
        case NATS_NO_RESPONDERS: .noResponders
        case NATS_NOT_FOUND: .notFound
        default: .other
        }
    }

    private static func name(of status: natsStatus) -> String {
        switch status {
        case NATS_CONNECTION_CLOSED: "NATS_CONNECTION_CLOSED"
        case NATS_NO_SERVER: "NATS_NO_SERVER"
        case NATS_STALE_CONNECTION: "NATS_STALE_CONNECTION"
        case NATS_CONNECTION_DISCONNECTED: "NATS_CONNECTION_DISCONNECTED"
        case NATS_IO_ERROR: "NATS_IO_ERROR"
        case NATS_CONNECTION_AUTH_FAILED: "NATS_CONNECTION_AUTH_FAILED"
        case NATS_NOT_PERMITTED: "NATS_NOT_PERMITTED"
        case NATS_TIMEOUT: "NATS_TIMEOUT"
        case NATS_NO_RESPONDERS: "NATS_NO_RESPONDERS"
        case NATS_NOT_FOUND: "NATS_NOT_FOUND"
        case NATS_INVALID_ARG: "NATS_INVALID_ARG"
        case NATS_SSL_ERROR: "NATS_SSL_ERROR"
        case NATS_ERR: "NATS_ERR"
        default: "natsStatus(\(status.rawValue))"
        }
    }
}
