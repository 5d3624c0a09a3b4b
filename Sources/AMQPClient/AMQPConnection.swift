import Synchronization

/// One AMQP 0-9-1 connection (rabbitmq-c) with a thread of its own.
///
/// rabbitmq-c is blocking and not thread-safe per connection, so each connection owns an
/// ``AMQPIOThread``: connecting, every broker round trip, every publish and acknowledgement,
/// and reading what the broker sends happen there, one at a time. Async callers are bridged
/// to it once, here: each operation is a job whose continuation the thread resumes.
///
/// A broken connection is never repaired: ``isOpen`` turns `false`, everything waiting on it
/// fails with the reason, and its owner (a `Supervisor`) opens a new one.
///
/// ```swift
/// let connection = try await AMQPConnection.open(AMQPConfiguration(host: "127.0.0.1"))
/// let channel = try await connection.openChannel()
/// try await channel.enableConfirms()
/// try await channel.publish(exchange: "", routingKey: "orders", body: Array("hi".utf8), mandatory: true)
/// await connection.close()
/// ```
public final class AMQPConnection: Sendable {
    private struct State {
        var lost: AMQPError?
        var closed = false
    }

    /// What it connected with.
    public let configuration: AMQPConfiguration
    private let thread: AMQPIOThread
    private let state: Mutex<State>

    private init(configuration: AMQPConfiguration, thread: AMQPIOThread) {
        self.configuration = configuration
        self.thread = thread
        self.state = Mutex(State())
    }

    /// Connects and logs in; throws why not (``AMQPError/accessRefused(_:)`` for refused
    /// credentials, ``AMQPError/connection(_:)`` for an unreachable broker).
    public static func open(_ configuration: AMQPConfiguration) async throws -> AMQPConnection {
        let lossBox = LossBox()
        let session = AMQPSession(configuration: configuration) { error in lossBox.report(error) }
        let thread = AMQPIOThread(name: "amqp \(configuration.address)", session: session)
        let connection = AMQPConnection(configuration: configuration, thread: thread)
        lossBox.attach(connection)
        do {
            try await connection.perform { session throws(AMQPError) in try session.connect() }
        } catch {
            thread.stop()
            throw error
        }
        return connection
    }

    /// Whether the connection is still usable (not broken, not closed).
    public var isOpen: Bool { state.withLock { $0.lost == nil && !$0.closed } }

    /// Why the connection broke, once it did.
    public var failure: AMQPError? { state.withLock { $0.lost } }

    /// Opens a channel (`channel.open`).
    public func openChannel() async throws -> AMQPChannel {
        try await perform { session throws(AMQPError) in
            try session.openChannel { number in AMQPChannel(number: number, connection: self) }
        }
    }

    /// Closes the connection (`connection.close`) and ends its thread; everything still
    /// waiting fails with ``AMQPError/closed``. Later calls do nothing.
    public func close() async {
        let first = state.withLock { state in
            defer { state.closed = true }
            return !state.closed
        }
        guard first else { return }
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let accepted = thread.submit { _ in continuation.resume() }
            if !accepted { continuation.resume() }
            thread.stop()
        }
    }

    // MARK: - Internal

    /// Runs `body` on the connection's thread; its result or error.
    func perform<T: Sendable>(_ body: @escaping @Sendable (AMQPSession) throws(AMQPError) -> T) async throws(AMQPError) -> T {
        let result: Result<T, AMQPError> = await withCheckedContinuation { continuation in
            let accepted = thread.submit { session in
                do throws(AMQPError) {
                    continuation.resume(returning: .success(try body(session)))
                } catch {
                    continuation.resume(returning: .failure(error))
                }
            }
            if !accepted { continuation.resume(returning: .failure(self.failure ?? .closed)) }
        }
        return try result.get()
    }

    /// Submits a job that resumes a throwing continuation itself (publishes waiting for a confirm).
    func submit(_ job: @escaping @Sendable (AMQPSession) -> Void) -> Bool {
        thread.submit(job)
    }

    fileprivate func markLost(_ error: AMQPError) {
        state.withLock { state in
            if state.lost == nil { state.lost = error }
        }
    }
}

/// Carries the session's loss report to its connection, which exists only after the session.
private final class LossBox: Sendable {
    private let connection = Mutex<AMQPConnectionReference?>(nil)
    private let early = Mutex<AMQPError?>(nil)

    func attach(_ connection: AMQPConnection) {
        self.connection.withLock { $0 = AMQPConnectionReference(connection: connection) }
        if let error = early.withLock({ $0 }) { connection.markLost(error) }
    }

    func report(_ error: AMQPError) {
        if let connection = connection.withLock({ $0?.connection }) {
            connection.markLost(error)
        } else {
            early.withLock { $0 = error }
        }
    }
}

/// A weak reference, so the thread's session does not keep its connection alive.
private struct AMQPConnectionReference: Sendable {
    weak var connection: AMQPConnection?
}
