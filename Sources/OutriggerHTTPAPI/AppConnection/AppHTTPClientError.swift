/// Why an ``AppHTTPClient`` request failed.
///
/// The client never retries: it fails the request and leaves the decision to the delivery
/// pipeline, which owns retries. ``isRetriable`` tells whether sending the same request again can
/// succeed.
public enum AppHTTPClientError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The app closed the connection before it answered completely.
    case connectionClosed
    /// No complete answer arrived before the request's deadline.
    case timeout
    /// ``AppHTTPClient/shutdown()`` was called.
    case shutdown
    /// Every connection was busy and `limit` requests were already queued for one.
    case tooManyQueuedRequests(limit: Int)
    /// The answer's body was longer than `limit` bytes.
    case responseTooLarge(limit: Int)
    /// The app's bytes were not an HTTP/1.1 response.
    case invalidResponse(String)
    /// A header name is not an RFC 9110 token, or its value holds a control character.
    case invalidHeader(name: String)
    /// The path is empty, lacks its leading `/`, or holds a space or a control character.
    case invalidPath(String)

    /// Whether the same request may succeed later; `false` only for requests that can never be sent.
    public var isRetriable: Bool {
        switch self {
        case .invalidHeader, .invalidPath: false
        default: true
        }
    }

    public var description: String {
        switch self {
        case .connectionClosed: "the app closed the connection before answering"
        case .timeout: "the app did not answer in time"
        case .shutdown: "the app client is shut down"
        case .tooManyQueuedRequests(let limit): "all app connections are busy and \(limit) requests already wait"
        case .responseTooLarge(let limit): "the app's answer is larger than \(limit) bytes"
        case .invalidResponse(let reason): "the app's answer is not valid HTTP/1.1: \(reason)"
        case .invalidHeader(let name): "header '\(name)' cannot be sent: invalid name or value"
        case .invalidPath(let path): "path '\(path)' cannot be sent"
        }
    }
}
