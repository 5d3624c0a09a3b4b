/// Why a message goes back to its broker instead of being acknowledged.
///
/// A component reads it to choose how to hand the message back: requeue at once, let the
/// broker's redelivery timer bring it back, or use the broker's own dead-lettering.
public enum NackReason: Sendable, Equatable, CustomStringConvertible {
    /// The sidecar is shutting down (or the subscription stopping): requeue now, no delay, and
    /// keep its place where the broker can; it was not handled, so it counts as no failure.
    case draining
    /// The delivery pipeline gave up (retries exhausted, no dead-letter topic, or the
    /// dead-letter publish failed): let the broker redeliver it later, or dead-letter it with
    /// the broker's own mechanism when the component is configured for that.
    case failed(String)
    /// The handler was cancelled before it finished (rebalance, connection loss, a drain that
    /// ran out of time): requeue; like `draining` it counts as no failure.
    case cancelled

    /// Whether the app actually failed the message (only `failed` does).
    public var isFailure: Bool {
        if case .failed = self { return true }
        return false
    }

    public var description: String {
        switch self {
        case .draining: "draining"
        case .failed(let reason): "failed: \(reason)"
        case .cancelled: "cancelled"
        }
    }

    /// The reason a handler's error stands for: the error's own ``NackExplaining/nackReason``,
    /// `cancelled` for `CancellationError`, else `failed` with the error's text.
    public init(for error: any Error) {
        switch error {
        case let explained as any NackExplaining: self = explained.nackReason
        case is CancellationError: self = .cancelled
        default: self = .failed("\(error)")
        }
    }
}

/// An error that says how the message it ended should go back to the broker.
public protocol NackExplaining: Error {
    var nackReason: NackReason { get }
}
