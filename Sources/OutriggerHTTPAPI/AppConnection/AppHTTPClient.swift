import NIOConcurrencyHelpers
import NIOCore
import NIOHTTP1
import NIOPosix

/// A lean HTTP/1.1 client for the app channel: a pool of up to `maxConnections` keep-alive
/// connections to one `host:port`, each carrying one request at a time.
///
/// - Connections open lazily, on the first request that finds none idle.
/// - When all are busy, requests wait in arrival order, at most `maxQueuedRequests` of them.
/// - A request fails — it is never retried here, the delivery pipeline owns retries — when its
///   connection dies, when `timeout` passes (waiting for a connection included) or when its task is
///   cancelled; the connection it used is then closed and dropped.
/// - `Connection: close` from the app is honoured; an app that closes idle connections costs
///   nothing but a reconnect.
///
/// ```swift
/// let client = AppHTTPClient(host: "127.0.0.1", port: 3000, maxConnections: 64)
/// let answer = try await client.request(
///     method: .POST, path: "/orders", headers: [("content-type", "application/json")],
///     body: Array(#"{"id":1}"#.utf8), timeout: .seconds(5))
/// await client.shutdown()
/// ```
final class AppHTTPClient: Sendable {
    private typealias Waiter = CheckedContinuation<AppConnectionLease<AppConnection>, any Error>
    private typealias Pool = AppConnectionPool<AppConnection, Waiter>

    private let host: String
    private let port: Int
    private let hostHeader: String
    /// Sent with every request (`dapr-api-token` when `APP_API_TOKEN` is set).
    private let commonHeaders: [(String, String)]
    private let eventLoopGroup: any EventLoopGroup
    /// A pthread mutex rather than `Synchronization.Mutex`: on Linux the latter parks contended
    /// threads with `FUTEX_LOCK_PI`, which ThreadSanitizer cannot see (it reported false races on
    /// the pool), and it is reported slower under contention (swiftlang/swift#88440).
    private let pool: NIOLockedValueBox<Pool>

    /// - Parameters:
    ///   - maxConnections: the most connections open at once; at least 1.
    ///   - maxQueuedRequests: the most requests waiting for a busy pool; beyond, requests fail with
    ///     ``AppHTTPClientError/tooManyQueuedRequests(limit:)``.
    init(
        host: String, port: Int, maxConnections: Int, maxQueuedRequests: Int = 10_000, commonHeaders: [(String, String)] = [],
        eventLoopGroup: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton
    ) {
        self.commonHeaders = commonHeaders
        self.host = host
        self.port = port
        self.hostHeader = host.utf8.contains(UInt8(ascii: ":")) ? "[\(host)]:\(port)" : "\(host):\(port)"
        self.eventLoopGroup = eventLoopGroup
        self.pool = NIOLockedValueBox(Pool(maxConnections: maxConnections, maxWaiters: maxQueuedRequests))
    }

    deinit {
        // A client dropped without `shutdown()` still closes its sockets.
        let connections = pool.withLockedValue { $0.shutdown().close }
        for connection in connections { connection.close() }
    }

    /// Sends one request and collects the whole answer.
    ///
    /// - Parameters:
    ///   - path: the request target, starting with `/`.
    ///   - headers: sent as given, except `Content-Length` and `Transfer-Encoding`, which follow
    ///     `body`; `Host` is added unless given.
    ///   - timeout: for the whole request, including the wait for a free connection.
    ///   - maxResponseBytes: a longer answer body fails with ``AppHTTPClientError/responseTooLarge(limit:)``.
    /// - Returns: the status code and body of the answer, whatever the status.
    /// - Throws: ``AppHTTPClientError``, `CancellationError`, or the error that stopped a connect.
    func request(
        method: HTTPMethod, path: String, headers: [(String, String)], body: [UInt8], timeout: Duration,
        maxResponseBytes: Int = 16 << 20
    ) async throws -> (status: Int, body: [UInt8]) {
        let deadline = NIODeadline.now() + TimeAmount(timeout)
        let request = try AppHTTPRequest(
            method: method, path: path, headers: commonHeaders.isEmpty ? headers : headers + commonHeaders, body: body, host: hostHeader)
        let connection = try await leaseConnection(deadline: deadline)
        if Task.isCancelled {
            // Nothing was sent yet: the connection is still good for the next request.
            release(connection, reusable: true)
            throw CancellationError()
        }
        let response: AppHTTPResponse
        do {
            response = try await connection.execute(request, maxBodyBytes: maxResponseBytes, deadline: deadline)
        } catch {
            release(connection, reusable: false)
            throw error
        }
        release(connection, reusable: response.isReusable)
        return (response.status, response.body)
    }

    /// Closes every connection and fails every waiting request; requests in flight fail with
    /// ``AppHTTPClientError/connectionClosed``, later ones with ``AppHTTPClientError/shutdown``.
    /// Returns once the connections it found are closed; one still connecting is closed as soon as
    /// it connects.
    func shutdown() async {
        let (connections, waiters) = pool.withLockedValue { $0.shutdown() }
        for waiter in waiters { waiter.resume(throwing: AppHTTPClientError.shutdown) }
        for connection in connections { connection.close() }
        for connection in connections { try? await connection.closeFuture.get() }
    }

    // MARK: - Leasing

    private func leaseConnection(deadline: NIODeadline) async throws -> AppConnection {
        let decision = pool.withLockedValue { $0.lease(isAlive: \.isActive) }
        let lease: Pool.Lease
        switch decision {
        case .lease(let granted): lease = granted
        case .fail(let error): throw error
        case .wait: lease = try await waitForLease(deadline: deadline)
        }
        switch lease {
        case .connection(let connection):
            return connection
        case .open:
            return try await open(deadline: deadline)
        }
    }

    private func waitForLease(deadline: NIODeadline) async throws -> Pool.Lease {
        let id = pool.withLockedValue { $0.makeID() }
        let timer = try eventLoopGroup.any().scheduleCallback(at: deadline, handler: WaitDeadline(client: self, waiterID: id))
        defer { timer.cancel() }
        let lease = try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (waiter: Waiter) in
                // Cancellation and the deadline are checked under the lock: a handler or timer that
                // fires later finds the waiter queued, one that fired earlier is seen here.
                let resume = pool.withLockedValue { state -> Pool.Resume? in
                    guard NIODeadline.now() < deadline else { return Pool.Resume(waiter: waiter, result: .failure(AppHTTPClientError.timeout)) }
                    return state.enqueue(waiter, id: id, isCancelled: Task.isCancelled, isAlive: \.isActive)
                }
                if let resume { resume.waiter.resume(with: resume.result) }
            }
        } onCancel: {
            removeWaiter(id: id, error: CancellationError())
        }
        if Task.isCancelled {
            // Cancelled just as the lease arrived: hand it back rather than close a good connection.
            switch lease {
            case .connection(let connection): release(connection, reusable: true)
            case .open: resume(pool.withLockedValue { $0.openFailed() })
            }
            throw CancellationError()
        }
        return lease
    }

    private func open(deadline: NIODeadline) async throws -> AppConnection {
        let connection: AppConnection
        do {
            let remaining = deadline - .now()
            guard remaining > .zero else { throw AppHTTPClientError.timeout }
            let id = pool.withLockedValue { $0.makeID() }
            connection = try await AppConnection.connect(id: id, host: host, port: port, group: eventLoopGroup, timeout: remaining)
        } catch {
            resume(pool.withLockedValue { $0.openFailed() })
            throw error
        }
        guard pool.withLockedValue({ $0.opened(connection) }) else {
            connection.close()
            throw AppHTTPClientError.shutdown
        }
        let id = connection.id
        connection.closeFuture.whenComplete { [weak self] _ in
            guard let self else { return }
            self.resume(self.pool.withLockedValue { $0.closed(id: id) })
        }
        return connection
    }

    private func release(_ connection: AppConnection, reusable: Bool) {
        // Checked inside the lock: a channel that closed while leased had its `closed(id:)` ignored,
        // so parking it idle would hold a slot for a dead connection.
        let action = pool.withLockedValue { $0.release(connection, reusable: reusable && connection.isActive) }
        action.close?.close()
        resume(action.resume)
    }

    fileprivate func removeWaiter(id: Int, error: any Error) {
        pool.withLockedValue { $0.removeWaiter(id: id) }?.resume(throwing: error)
    }

    private func resume(_ resume: Pool.Resume?) {
        guard let resume else { return }
        resume.waiter.resume(with: resume.result)
    }
}

/// Fails a waiting request when its deadline passes before a connection frees up.
private struct WaitDeadline: NIOScheduledCallbackHandler, Sendable {
    let client: AppHTTPClient
    let waiterID: Int

    func handleScheduledCallback(eventLoop: some EventLoop) {
        client.removeWaiter(id: waiterID, error: AppHTTPClientError.timeout)
    }
}
