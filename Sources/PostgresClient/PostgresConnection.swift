import Foundation
import Synchronization

/// One connection to PostgreSQL, with a thread of its own for libpq's blocking calls.
///
/// Methods are `async` and may be called from any task; their libpq work runs on the
/// connection's thread, one statement at a time, in call order. Cancelling the calling task
/// cancels the statement on the server (`PQcancel`): the call then ends as soon as the server
/// gave up on it, with ``PostgresError/server(_:)`` SQLSTATE 57014 or `CancellationError`
/// if it had not started yet. Releasing the last reference closes the connection (`PQfinish`).
public final class PostgresConnection: Sendable {
    private struct JobBook {
        var nextID: UInt64 = 0
        /// Jobs submitted and not yet finished.
        var pending: Set<UInt64> = []
        /// Pending jobs whose caller was cancelled.
        var cancelled: Set<UInt64> = []
    }

    private let handle: LibPQConnection
    private let worker: WorkerThread
    private let jobs = Mutex(JobBook())
    /// The job inside libpq right now. Held by a cancel request while it is sent, so the
    /// worker cannot start the next statement until then and a late cancel never hits it.
    private let running = Mutex<UInt64?>(nil)
    private let broken = Atomic<Bool>(false)
    /// When the connection was made.
    public let openedAt: ContinuousClock.Instant

    private init(handle: LibPQConnection, worker: WorkerThread) {
        self.handle = handle
        self.worker = worker
        self.openedAt = .now
    }

    deinit {
        // The last reference moves into a final job, so PQfinish usually runs on the connection's own thread.
        let handle = self.handle
        worker.submit { withExtendedLifetime(handle) {} }
        worker.stop()
    }

    /// Connects with the settings of `connectionString` (see
    /// ``PostgresConnectionString/libpqParameters(knownKeywords:)``). The wait is bounded by the
    /// string's `connect_timeout`, not by task cancellation.
    public static func connect(_ connectionString: PostgresConnectionString) async throws(PostgresError) -> PostgresConnection {
        let worker = WorkerThread(name: "postgres-connection")
        let result: Result<LibPQConnection, PostgresError> = await withCheckedContinuation { continuation in
            worker.submit {
                let parameters = connectionString.libpqParameters(knownKeywords: LibPQConnection.knownKeywords)
                continuation.resume(returning: Result { () throws(PostgresError) in try LibPQConnection.connect(parameters) })
            }
        }
        switch result {
        case .success(let handle):
            return PostgresConnection(handle: handle, worker: worker)
        case .failure(let error):
            worker.stop()
            throw error
        }
    }

    /// Runs one statement with its parameters bound (see ``PostgresParameter``); rows for a
    /// query, the affected-row count for a command. `simpleProtocol` sends a statement without
    /// parameters as a simple query (it may then hold several statements; the last one's
    /// result is returned).
    public func execute(_ sql: String, parameters: [PostgresParameter] = [], simpleProtocol: Bool = false) async throws -> PostgresResult {
        try await perform { connection throws(PostgresError) in
            try connection.execute(sql, parameters: parameters, simpleProtocol: simpleProtocol)
        }
    }

    /// One round trip (an empty query).
    public func ping() async throws {
        try await perform { connection throws(PostgresError) in try connection.ping() }
    }

    /// Whether an idle connection still works: it reads what the server sent meanwhile (never
    /// waiting) and reports a closed socket. Meant for the pool before reusing a connection.
    public func checkAlive() async -> Bool {
        (try? await perform { connection in connection.checkAlive() }) ?? false
    }

    /// Whether the connection broke (or is in a state it cannot leave); the pool discards it.
    public var isBroken: Bool { broken.load(ordering: .acquiring) }

    private func perform<T: Sendable>(_ body: @escaping @Sendable (LibPQConnection) throws(PostgresError) -> T) async throws -> T {
        let id = jobs.withLock { book in
            book.nextID += 1
            book.pending.insert(book.nextID)
            return book.nextID
        }
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<T, any Error>) in
                let accepted = worker.submit { [self] in
                    // Mark the job running before looking at the cancelled set: a cancel either
                    // is seen here, or finds the job running and sends PQcancel.
                    running.withLock { $0 = id }
                    let outcome: Result<T, any Error>
                    if jobs.withLock({ $0.cancelled.contains(id) }) {
                        outcome = .failure(CancellationError())
                    } else {
                        do throws(PostgresError) {
                            outcome = .success(try body(handle))
                        } catch {
                            outcome = .failure(error)
                        }
                    }
                    running.withLock { $0 = nil }
                    if handle.isBroken { broken.store(true, ordering: .releasing) }
                    jobs.withLock { book in
                        book.pending.remove(id)
                        book.cancelled.remove(id)
                    }
                    continuation.resume(with: outcome)
                }
                if !accepted {
                    jobs.withLock { book in
                        book.pending.remove(id)
                        book.cancelled.remove(id)
                    }
                    continuation.resume(throwing: PostgresError.closed)
                }
            }
        } onCancel: {
            let pending = jobs.withLock { book in
                guard book.pending.contains(id) else { return false }
                book.cancelled.insert(id)
                return true
            }
            guard pending else { return }
            // PQcancel opens a connection to the server and waits: never on the caller's thread.
            Thread.detachNewThread { [self] in
                running.withLock { current in
                    if current == id { _ = handle.sendCancel() }
                }
            }
        }
    }
}
