/// A failure of the AMQP client, already translated from rabbitmq-c's status codes and the
/// broker's close methods.
public enum AMQPError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The TCP or TLS connection could not be made, broke, or missed its heartbeats.
    case connection(String)
    /// The broker closed the connection (`connection.close`), with its reply code and text.
    case connectionClosed(code: Int, text: String)
    /// The broker closed a channel (`channel.close`): the operation it answered failed.
    case channelClosed(code: Int, text: String)
    /// The broker refused the login (reply 403 ACCESS_REFUSED); trying again cannot help.
    case accessRefused(String)
    /// A mandatory publish could not be routed to any queue (`basic.return`).
    case unroutable(code: Int, text: String)
    /// The broker refused a confirmed publish (`basic.nack`).
    case nacked
    /// The consumer was cancelled by the broker (its queue was deleted) or by the client.
    case consumerCancelled(String)
    /// The connection or channel was closed by this client.
    case closed
    /// rabbitmq-c refused an argument (a table too big, a frame too large).
    case library(String)

    /// Whether the connection itself is gone: a new connection is needed.
    public var isConnectionProblem: Bool {
        switch self {
        case .connection, .connectionClosed, .closed: true
        default: false
        }
    }

    public var description: String {
        switch self {
        case .connection(let message): "connection failed: \(message)"
        case .connectionClosed(let code, let text): "connection closed by the broker: \(code) \(text)"
        case .channelClosed(let code, let text): "channel closed by the broker: \(code) \(text)"
        case .accessRefused(let text): "access refused: \(text)"
        case .unroutable(let code, let text): "message returned as unroutable: \(code) \(text)"
        case .nacked: "the broker did not confirm the message (basic.nack)"
        case .consumerCancelled(let why): "consumer cancelled: \(why)"
        case .closed: "connection closed"
        case .library(let message): message
        }
    }
}
