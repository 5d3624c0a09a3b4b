import NIOCore
import NIOPosix
import Synchronization

/// A client of one Redis server: a small fixed pool of pipelined connections for ordinary
/// commands (concurrent callers share them; each gets its own reply), and dedicated
/// connections for blocking reads, so that an `XREADGROUP BLOCK` never holds up a publish.
///
/// The client never reconnects by itself: when a command fails with a connection problem
/// (``RedisError/isConnectionProblem``) its owner replaces the whole client (a supervisor's
/// job). Closing the client closes its dedicated connections too.
///
/// ```swift
/// let client = try await RedisClient.connect(RedisConfiguration(host: "127.0.0.1"), poolSize: 2)
/// let id = try await client.xadd("orders", fields: [(Array("data".utf8), body)])
/// await client.close()
/// ```
public final class RedisClient: Sendable {
    private struct State {
        var next = 0
        var dedicated: [ObjectIdentifier: RedisConnection] = [:]
        var closed = false
    }

    /// The settings every connection of this client uses.
    public let configuration: RedisConfiguration
    private let connector: RedisConnector
    private let pool: [RedisConnection]
    private let state = Mutex(State())

    private init(connector: RedisConnector, pool: [RedisConnection]) {
        self.configuration = connector.configuration
        self.connector = connector
        self.pool = pool
    }

    /// Opens `poolSize` connections (at least one), spread over the group's event loops; fails
    /// with the first connection's error.
    public static func connect(
        _ configuration: RedisConfiguration, poolSize: Int = 2, eventLoopGroup: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton
    ) async throws(RedisError) -> RedisClient {
        let connector = try RedisConnector(configuration: configuration, eventLoopGroup: eventLoopGroup)
        var pool: [RedisConnection] = []
        do {
            let loops = Array(eventLoopGroup.makeIterator())
            for index in 0..<max(poolSize, 1) {
                let loop = loops.isEmpty ? nil : loops[index % loops.count]
                pool.append(try await connector.connect(askClientID: false, on: loop))
            }
        } catch {
            for connection in pool { await connection.close() }
            throw error
        }
        return RedisClient(connector: connector, pool: pool)
    }

    /// Sends `command` on a pooled connection and waits for its reply (at most the read timeout).
    public func send(_ command: RedisCommand) async throws(RedisError) -> RedisValue {
        guard let connection = pooledConnection() else { throw unavailable() }
        return try await connection.send(command, timeout: configuration.readTimeout)
    }

    /// Writes `command` on the next open pooled connection now; the future completes with its reply.
    func enqueue(_ command: RedisCommand) -> EventLoopFuture<RedisValue> {
        enqueue([command])[0]
    }

    /// Writes `commands` in order on one pooled connection, so the server runs them in that
    /// order; one future per command.
    func enqueue(_ commands: [RedisCommand]) -> [EventLoopFuture<RedisValue>] {
        guard let connection = pooledConnection() else {
            let error = unavailable()
            return commands.map { _ in pool[0].channelEventLoop.makeFailedFuture(error) }
        }
        return commands.map { connection.enqueue($0, timeout: configuration.readTimeout) }
    }

    /// Why no pooled connection can take a command.
    private func unavailable() -> RedisError {
        state.withLock { $0.closed } ? .closed : .connectionLost("every pooled connection is closed")
    }

    /// An open pooled connection on the caller's event loop when there is one (a caller running
    /// on that loop then writes, and is answered, without a thread switch), else the pooled
    /// connections in turn, skipping closed ones; `nil` when all are closed.
    private func pooledConnection() -> RedisConnection? {
        if let local = pool.first(where: { $0.channelEventLoop.inEventLoop }), local.isOpen, !state.withLock({ $0.closed }) {
            return local
        }
        let start = state.withLock { state -> Int? in
            guard !state.closed else { return nil }
            state.next &+= 1
            return state.next
        }
        guard let start else { return nil }
        for offset in 0..<pool.count {
            let connection = pool[(start &+ offset) % pool.count]
            if connection.isOpen { return connection }
        }
        return nil
    }

    /// Whether every pooled connection is still open.
    public var isOpen: Bool { !state.withLock { $0.closed } && pool.allSatisfy(\.isOpen) }

    /// A new connection of its own for blocking commands, with the same settings; it knows its
    /// `CLIENT ID`. Closed by ``release(_:)`` or together with the client.
    public func openDedicatedConnection() async throws(RedisError) -> RedisConnection {
        guard !state.withLock({ $0.closed }) else { throw .closed }
        let connection = try await connector.connect(askClientID: true)
        let accepted = state.withLock { state -> Bool in
            guard !state.closed else { return false }
            state.dedicated[ObjectIdentifier(connection)] = connection
            return true
        }
        guard accepted else {
            await connection.close()
            throw .closed
        }
        return connection
    }

    /// Closes a connection from ``openDedicatedConnection()``.
    public func release(_ connection: RedisConnection) async {
        _ = state.withLock { $0.dedicated.removeValue(forKey: ObjectIdentifier(connection)) }
        await connection.close()
    }

    /// Closes every connection; outstanding commands fail, later ones fail with ``RedisError/closed``.
    public func close() async {
        let dedicated = state.withLock { state -> [RedisConnection] in
            state.closed = true
            defer { state.dedicated = [:] }
            return Array(state.dedicated.values)
        }
        for connection in pool + dedicated { await connection.close() }
    }
}
