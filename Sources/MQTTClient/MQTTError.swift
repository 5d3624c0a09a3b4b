import CMosquitto

/// A failure of an MQTT connection or of one request on it, with libmosquitto's codes
/// translated at once.
public enum MQTTError: Error, Sendable, Equatable, CustomStringConvertible {
    /// A libmosquitto call failed (`MOSQ_ERR_*`), e.g. an invalid topic or no connection.
    case library(operation: String, code: Int32, message: String)
    /// The broker answered CONNECT with a refusal (CONNACK return code 1–5).
    case refused(code: Int32, message: String)
    /// No CONNACK within the connect timeout (the TCP connect included).
    case connectTimedOut
    /// The connection broke (socket error, keepalive timeout, broker gone).
    case connectionLost(String)
    /// The broker refused a subscription (SUBACK 0x80).
    case subscriptionRefused(topic: String)
    /// The connection was closed by its owner, or dropped on purpose so the broker redelivers
    /// the message that was refused.
    case closed(String)

    /// A libmosquitto error for `operation`.
    static func library(_ operation: String, _ code: Int32) -> MQTTError {
        .library(operation: operation, code: code, message: String(cString: mosquitto_strerror(code)))
    }

    /// Trying again cannot help: bad credentials or an identifier the broker will not take.
    public var isTerminal: Bool {
        switch self {
        case .refused(let code, _): code == 2 || code == 4 || code == 5
        default: false
        }
    }

    /// Whether the connection itself is gone (a new one is needed).
    public var isConnectionProblem: Bool {
        switch self {
        case .connectionLost, .closed, .connectTimedOut, .refused: true
        case .library(_, let code, _): code == MOSQ_ERR_NO_CONN.rawValue || code == MOSQ_ERR_CONN_LOST.rawValue
        case .subscriptionRefused: false
        }
    }

    /// The error as a sentence, with libmosquitto's own text.
    public var description: String {
        switch self {
        case .library(let operation, let code, let message): "\(operation) failed: \(message) (MOSQ_ERR \(code))"
        case .refused(let code, let message): "the broker refused the connection: \(message) (CONNACK \(code))"
        case .connectTimedOut: "the broker did not accept the connection within the connect timeout"
        case .connectionLost(let reason): "connection lost: \(reason)"
        case .subscriptionRefused(let topic): "the broker refused the subscription to '\(topic)'"
        case .closed(let reason): "connection closed: \(reason)"
        }
    }
}
