import CNats
import Synchronization

/// The answer to one publish: the stream that stored it and its sequence there.
public struct PublishAck: Sendable, Equatable {
    /// The stream that stored the message.
    public var stream: String
    /// The message's sequence in that stream.
    public var sequence: UInt64
    /// The stream already had a message with this `Nats-Msg-Id` (within its duplicate window).
    public var duplicate: Bool
}

/// What libnats' callbacks of one connection reach: the publishes awaiting their PubAck, and
/// whether the connection closed.
///
/// Every callback here runs on a libnats thread (PubAcks on the JetStream context's reply
/// subscription thread, the closed callback on the connection's callback thread); they only
/// take a lock and resume a continuation.
final class ConnectionEvents: Sendable {
    /// Receives the outcome of one publish, exactly once.
    typealias Waiter = @Sendable (Result<PublishAck, NATSError>) -> Void

    private struct State {
        var waiters: [UInt: Waiter] = [:]
        var closed: NATSError?
        var onClosed: (@Sendable () -> Void)?
    }

    private let state = Mutex(State())

    /// Registers the waiter of the publish of message `key` (its address); `false` once the
    /// connection closed.
    func register(_ key: UInt, _ waiter: @escaping Waiter) -> Bool {
        state.withLock { state in
            guard state.closed == nil else { return false }
            state.waiters[key] = waiter
            return true
        }
    }

    /// Resumes the publish of message `key` with `result`, if it still waits.
    func resolve(_ key: UInt, _ result: Result<PublishAck, NATSError>) {
        state.withLock { $0.waiters.removeValue(forKey: key) }?(result)
    }

    /// The connection closed: every publish still waiting fails, later ones fail at once, and
    /// the ``whenClosed(_:)`` callback runs (once).
    func closed(_ error: NATSError) {
        let (waiters, onClosed) = state.withLock { state -> ([Waiter], (@Sendable () -> Void)?) in
            if state.closed == nil { state.closed = error }
            defer {
                state.waiters = [:]
                state.onClosed = nil
            }
            return (Array(state.waiters.values), state.onClosed)
        }
        for waiter in waiters { waiter(.failure(error)) }
        onClosed?()
    }

    /// Runs `body` when the connection closes (at once if it already has).
    func whenClosed(_ body: @escaping @Sendable () -> Void) {
        let alreadyClosed = state.withLock { state -> Bool in
            guard state.closed == nil else { return true }
            state.onClosed = body
            return false
        }
        if alreadyClosed { body() }
    }

    var isClosed: Bool { state.withLock { $0.closed != nil } }

    /// Publishes awaiting their PubAck.
    var pendingPublishes: Int { state.withLock { $0.waiters.count } }
}

/// libnats' PubAck callback: resumes the publish of `message`, which it then frees (the
/// library leaves that to the callback).
let publishAckHandler: jsPubAckHandler = { _, message, pubAck, pubAckError, closure in
    defer { natsMsg_Destroy(message) }
    guard let closure, let message else { return }
    let events = Unmanaged<ConnectionEvents>.fromOpaque(closure).takeUnretainedValue()
    let key = UInt(bitPattern: Int(bitPattern: UnsafeRawPointer(message)))
    if let ack = pubAck?.pointee {
        let stream = ack.Stream.map { String(cString: $0) } ?? ""
        events.resolve(key, .success(PublishAck(stream: stream, sequence: ack.Sequence, duplicate: ack.Duplicate)))
    } else {
        let failure = pubAckError?.pointee
        let status = failure?.Err ?? NATS_ERR
        let text = failure?.ErrText.map { String(cString: $0) } ?? String(cString: natsStatus_GetText(status))
        let error = NATSError(
            kind: status == NATS_TIMEOUT ? .timeout : (status == NATS_NO_RESPONDERS ? .noResponders : .other),
            code: status == NATS_TIMEOUT ? "NATS_TIMEOUT" : "natsStatus(\(status.rawValue))",
            jetStreamCode: Int(failure?.ErrCode.rawValue ?? 0), text: "publish: \(text)")
        events.resolve(key, .failure(error))
    }
}

/// libnats' closed callback (reconnecting is off, so a broken connection closes).
let connectionClosedHandler: natsConnectionHandler = { _, closure in
    guard let closure else { return }
    Unmanaged<ConnectionEvents>.fromOpaque(closure).takeUnretainedValue().closed(.closed)
}
