import Logging
import OutriggerCore
import RedisClient
import Synchronization

/// One entry read from a stream, with the id that settles it.
struct StreamDelivery: Sendable {
    var id: String
    var message: IncomingMessage
}

/// How one subscription reads its stream for its consumer group: the `pull` and `settle` of
/// its ``ConsumerDriver``.
///
/// - **Pull**: when `redeliverInterval` has passed since the last look (and at the first
///   pull), `XAUTOCLAIM` takes entries pending longer than `processingTimeout` — failed ones,
///   and those of consumers that went away — leaving out the entries this component is still
///   handling (``InFlightEntries``). Otherwise `XREADGROUP ... BLOCK` on a connection of its
///   own waits for new entries, no longer than until the next look is due. Both ask for at
///   most the driver's room and `queueDepth`.
/// - **Settle**: acknowledged entries in one `XACK`; entries handed back unhandled
///   (`draining`, `cancelled`) are marked idle for `processingTimeout` (`XCLAIM ... IDLE
///   JUSTID`), so the next look of any subscriber takes them at once; `failed` ones stay
///   pending and come back after `processingTimeout`.
/// - **Connection loss** is reported to the component's supervisor with the lease that broke;
///   the driver pulls again once it has a new connection. A group that vanished (`NOGROUP`:
///   the stream was deleted, or the server restarted without persistence) is created again.
final class StreamGroupReader: Sendable {
    private struct Reader {
        var generation: Int
        var client: RedisClient
        var connection: RedisConnection
    }

    private struct State {
        var reader: Reader?
        var lastLook: AnyClock.Instant?
        var cursor = "0-0"
    }

    /// The longest single `BLOCK`, so a silently dead connection shows within it plus the read timeout.
    static let longestBlock: Duration = .seconds(5)

    let stream: String
    let group: String
    let consumer: String
    private let settings: RedisPubSubSettings
    private let supervisor: Supervisor<RedisClient>
    private let inFlight: InFlightEntries
    private let clock: AnyClock
    private let logger: Logger
    private let state = Mutex(State())

    private var key: InFlightEntries.Key { .init(stream: stream, group: group) }

    init(stream: String, group: String, settings: RedisPubSubSettings, supervisor: Supervisor<RedisClient>, inFlight: InFlightEntries, clock: AnyClock, logger: Logger) {
        self.stream = stream
        self.group = group
        // Like daprd: the consumer is named after its group, so both can share a group.
        self.consumer = group
        self.settings = settings
        self.supervisor = supervisor
        self.inFlight = inFlight
        self.clock = clock
        self.logger = logger
    }

    /// `XGROUP CREATE ... 0 MKSTREAM` on `lease`'s connection, tolerating an existing group:
    /// from here on every entry added to the stream reaches the group.
    func createGroup(on lease: Supervisor<RedisClient>.Lease) async throws {
        do {
            try await lease.connection.createGroup(group, on: stream)
        } catch {
            if error.isConnectionProblem { supervisor.connectionLost(lease, error: error) }
            throw ComponentError(.retriable, "redis streams: cannot create consumer group \(group) on \(stream): \(error)")
        }
    }

    // MARK: - Pull

    /// Up to `room` entries: reclaimed ones when a look is due and finds some, else new ones;
    /// `nil` once the component is closed or its supervisor gave up (refused credentials).
    func pull(room: Int) async throws -> [StreamDelivery]? {
        let lease: Supervisor<RedisClient>.Lease
        do {
            lease = try await supervisor.lease()
        } catch let error as Supervisor<RedisClient>.Unavailable {
            logger.error("no connection will come; the subscription ends", metadata: ["stream": "\(stream)", "error": "\(error)"])
            return nil
        }
        let count = min(room, settings.queueDepth)
        do {
            if let reclaimed = try await reclaimIfDue(lease.connection, count: count) { return reclaimed }
            return try await readNew(lease, count: count)
        } catch {
            // A read cut short by stopping the subscription is no broken connection.
            if Task.isCancelled { throw CancellationError() }
            if error.isConnectionProblem {
                supervisor.connectionLost(lease, error: error)
            } else if error.serverCode == "NOGROUP" {
                logger.warning("consumer group vanished; creating it again", metadata: ["stream": "\(stream)", "group": "\(group)"])
                _ = try? await lease.connection.createGroup(group, on: stream)
            }
            throw error
        }
    }

    /// `nil` when no look is due or a finished look found nothing; `[]` when a look of a long
    /// pending list continues with the next pull.
    private func reclaimIfDue(_ client: RedisClient, count: Int) async throws(RedisError) -> [StreamDelivery]? {
        guard settings.redeliveryEnabled else { return nil }
        let now = clock.now
        let cursor = state.withLock { state -> String? in
            let due = state.cursor != "0-0" || state.lastLook.map { $0.duration(to: now) >= settings.redeliverInterval } ?? true
            return due ? state.cursor : nil
        }
        guard let cursor else { return nil }
        inFlight.beginReclaim(key)
        defer { inFlight.endReclaim(key) }
        let claim = try await client.xautoclaim(stream, group: group, consumer: consumer, minIdle: settings.processingTimeout, start: cursor, count: count)
        state.withLock { state in
            state.cursor = claim.next
            if claim.isScanComplete { state.lastLook = now }
        }
        let fresh = inFlight.admitReclaimed(claim.entries.map(\.id), in: key)
        let deliveries = claim.entries.filter { fresh.contains($0.id) }.map(delivery)
        if !deliveries.isEmpty {
            logger.debug("reclaimed pending entries", metadata: ["stream": "\(stream)", "count": "\(deliveries.count)"])
            return deliveries
        }
        return claim.isScanComplete ? nil : []
    }

    private func readNew(_ lease: Supervisor<RedisClient>.Lease, count: Int) async throws(RedisError) -> [StreamDelivery] {
        let reader = try await reader(for: lease)
        let entries = try await reader.xreadgroup(
            group: group, consumer: consumer, stream: stream, count: count, block: blockTime(), unblockingThrough: lease.connection)
        inFlight.hold(entries.map(\.id), in: key)
        return entries.map(delivery)
    }

    /// Until the next look is due, at most ``longestBlock``.
    private func blockTime() -> Duration {
        guard settings.redeliveryEnabled, let last = state.withLock({ $0.lastLook }) else { return Self.longestBlock }
        let untilLook = settings.redeliverInterval - last.duration(to: clock.now)
        return max(min(untilLook, Self.longestBlock), .milliseconds(1))
    }

    /// This subscription's blocking connection for `lease`'s generation, opened when missing.
    private func reader(for lease: Supervisor<RedisClient>.Lease) async throws(RedisError) -> RedisConnection {
        let current = state.withLock { $0.reader }
        if let current, current.generation == lease.generation, current.connection.isOpen { return current.connection }
        let connection = try await lease.connection.openDedicatedConnection()
        state.withLock { $0.reader = Reader(generation: lease.generation, client: lease.connection, connection: connection) }
        if let current { await current.client.release(current.connection) }
        return connection
    }

    private func delivery(_ entry: RedisStreamEntry) -> StreamDelivery {
        StreamDelivery(id: entry.id, message: DaprStreamEntry.message(from: entry, stream: stream))
    }

    // MARK: - Settle

    /// Acknowledges and hands back one batch (see the type's documentation). A failure leaves
    /// the entries pending, so they come back: at-least-once.
    func settle(_ settlement: Settlement<StreamDelivery>) async {
        let acked = settlement.acks.map(\.id)
        let handedBack = settlement.nacks.filter { !$0.reason.isFailure }.map(\.message.id)
        let failed = settlement.nacks.filter { $0.reason.isFailure }.map(\.message.id)
        defer {
            inFlight.release(acked, acknowledged: true, in: key)
            inFlight.release(handedBack + failed, acknowledged: false, in: key)
        }
        let markIdle = settings.redeliveryEnabled ? handedBack : []
        guard !acked.isEmpty || !markIdle.isEmpty else { return }
        // Never wait for a reconnect here: a stop must not hang while Redis is away.
        guard supervisor.health == .connected, let lease = try? await supervisor.lease() else {
            logger.warning("not connected; entries stay pending and come back", metadata: ["stream": "\(stream)", "count": "\(acked.count + markIdle.count)"])
            return
        }
        do {
            try await lease.connection.xack(stream, group: group, ids: acked)
            try await lease.connection.xclaimIDs(stream, group: group, consumer: consumer, ids: markIdle, idle: settings.processingTimeout)
        } catch {
            logger.warning("settling failed; the entries stay pending and come back", metadata: ["stream": "\(stream)", "error": "\(error)"])
            if error.isConnectionProblem { supervisor.connectionLost(lease, error: error) }
        }
    }

    /// Closes the blocking connection; call once the driver finished.
    func close() async {
        let reader = state.withLock { state -> Reader? in
            defer { state.reader = nil }
            return state.reader
        }
        if let reader { await reader.client.release(reader.connection) }
    }
}
