import NIOCore

/// The bookkeeping of ``AppHTTPClient``'s connections: which are idle, which are leased, how many
/// are being opened, and which requests wait for one.
///
/// A value type without I/O, in the style of AsyncHTTPClient's and PostgresNIO's pool state
/// machines: every event returns what the client must do (resume a waiter, close a connection),
/// and the client does it after leaving its lock.
///
/// Invariants a caller may rely on:
/// - idle + leased + opening never exceeds `maxConnections`;
/// - requests wait only while every slot is taken, and get a slot in arrival order (FIFO);
/// - at most `maxWaiters` requests wait; the next one fails with `tooManyQueuedRequests`.
struct AppConnectionPool<Connection: Identifiable, Waiter> {
    typealias Lease = AppConnectionLease<Connection>

    /// The answer to ``lease(isAlive:)``.
    enum LeaseDecision {
        case lease(Lease)
        /// Every slot is taken: the request should ``enqueue(_:id:isCancelled:isAlive:)``.
        case wait
        case fail(AppHTTPClientError)
    }

    /// A waiter to resume, and with what.
    struct Resume {
        var waiter: Waiter
        var result: Result<Lease, any Error>
    }

    /// What to do after a connection came back.
    struct ReleaseAction {
        var close: Connection?
        var resume: Resume?
    }

    let maxConnections: Int
    let maxWaiters: Int
    private(set) var idle: [Connection] = []
    private(set) var leased: [Connection.ID: Connection] = [:]
    private(set) var opening = 0
    private(set) var isShutDown = false
    private var waiters = CircularBuffer<(id: Int, waiter: Waiter)>()
    private var lastID = 0

    init(maxConnections: Int, maxWaiters: Int) {
        precondition(maxConnections > 0, "an app client needs at least one connection")
        precondition(maxWaiters >= 0)
        self.maxConnections = maxConnections
        self.maxWaiters = maxWaiters
    }

    /// Connections that exist or are being opened.
    var connectionCount: Int { idle.count + leased.count + opening }
    var waiterCount: Int { waiters.count }

    /// A fresh identifier for a connection or a waiter.
    mutating func makeID() -> Int {
        lastID += 1
        return lastID
    }

    /// A request asks for a connection. The most recently used idle connection comes first, so
    /// surplus connections stay idle long enough for the app to close them; idle connections that
    /// `isAlive` rejects (the app closed them) are dropped on the way.
    mutating func lease(isAlive: (Connection) -> Bool) -> LeaseDecision {
        if isShutDown { return .fail(.shutdown) }
        while let connection = idle.popLast() {
            guard isAlive(connection) else { continue }
            leased[connection.id] = connection
            return .lease(.connection(connection))
        }
        if connectionCount < maxConnections {
            opening += 1
            return .lease(.open)
        }
        return .wait
    }

    /// A request that was told to ``LeaseDecision/wait`` queues. Something may have come back
    /// since, so this decides again: a non-nil answer is to be resumed at once.
    mutating func enqueue(_ waiter: Waiter, id: Int, isCancelled: Bool, isAlive: (Connection) -> Bool) -> Resume? {
        if isCancelled { return Resume(waiter: waiter, result: .failure(CancellationError())) }
        switch lease(isAlive: isAlive) {
        case .lease(let lease):
            return Resume(waiter: waiter, result: .success(lease))
        case .fail(let error):
            return Resume(waiter: waiter, result: .failure(error))
        case .wait:
            guard waiters.count < maxWaiters else {
                return Resume(waiter: waiter, result: .failure(AppHTTPClientError.tooManyQueuedRequests(limit: maxWaiters)))
            }
            waiters.append((id, waiter))
            return nil
        }
    }

    /// A waiter gave up (cancelled or timed out); the caller resumes it with its error. `nil` when
    /// it was already resumed.
    mutating func removeWaiter(id: Int) -> Waiter? {
        guard let index = waiters.firstIndex(where: { $0.id == id }) else { return nil }
        return waiters.remove(at: index).waiter
    }

    /// A leased connection comes back after its request. A reusable one goes to the longest
    /// waiter, else idle; any other is closed and its slot goes to the longest waiter.
    mutating func release(_ connection: Connection, reusable: Bool) -> ReleaseAction {
        leased[connection.id] = nil
        if isShutDown { return ReleaseAction(close: connection) }
        guard reusable else { return ReleaseAction(close: connection, resume: handSlotToWaiter()) }
        if let next = waiters.popFirst() {
            leased[connection.id] = connection
            return ReleaseAction(resume: Resume(waiter: next.waiter, result: .success(.connection(connection))))
        }
        idle.append(connection)
        return ReleaseAction()
    }

    /// The request holding an ``Lease/open`` slot connected. `false`: the pool shut down in the
    /// meantime, and the caller closes the connection.
    mutating func opened(_ connection: Connection) -> Bool {
        opening -= 1
        if isShutDown { return false }
        leased[connection.id] = connection
        return true
    }

    /// The request holding an ``Lease/open`` slot could not connect; the slot goes to the longest waiter.
    mutating func openFailed() -> Resume? {
        opening -= 1
        return handSlotToWaiter()
    }

    /// A connection's channel closed. Idle ones leave the pool here; a leased one leaves when its
    /// request releases it.
    mutating func closed(id: Connection.ID) -> Resume? {
        guard let index = idle.firstIndex(where: { $0.id == id }) else { return nil }
        idle.remove(at: index)
        return handSlotToWaiter()
    }

    /// Stops the pool: the caller closes every connection returned and fails every waiter. Later
    /// leases fail; connections released or opened later are closed.
    mutating func shutdown() -> (close: [Connection], fail: [Waiter]) {
        isShutDown = true
        let close = idle + leased.values
        idle.removeAll()
        let fail = waiters.map(\.waiter)
        waiters.removeAll()
        return (close, fail)
    }

    private mutating func handSlotToWaiter() -> Resume? {
        guard !isShutDown, let next = waiters.popFirst() else { return nil }
        opening += 1
        return Resume(waiter: next.waiter, result: .success(.open))
    }
}

/// What a request gets from an ``AppConnectionPool``.
enum AppConnectionLease<Connection> {
    /// An open, idle connection, now leased to the request.
    case connection(Connection)
    /// A free slot: the request opens a connection itself, then reports
    /// ``AppConnectionPool/opened(_:)`` or ``AppConnectionPool/openFailed()``.
    case open
}

extension AppConnectionLease: Sendable where Connection: Sendable {}

extension AppConnectionPool: Sendable where Connection: Sendable, Connection.ID: Sendable, Waiter: Sendable {}
