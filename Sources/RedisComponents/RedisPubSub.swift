import Foundation
import Logging
import OutriggerCore
import RedisClient
import Synchronization

/// `pubsub.redis`: Redis Streams, laid out as daprd lays them out, so daprd and Outrigger can
/// share a stream in both directions (see ``DaprStreamEntry``).
///
/// - **Publish** is `XADD topic [MAXLEN ~ maxLenApprox | MINID ~ now-streamTTL] * data …
///   metadata …` over a small pool of pipelined connections: concurrent publishes share them
///   and each gets its own answer. While the connection is down a publish fails at once with a
///   retriable error.
/// - **Subscribe** creates the consumer group (`XGROUP CREATE … 0 MKSTREAM`, an existing group
///   is fine) before it returns, then a ``ConsumerDriver`` pulls through a
///   ``StreamGroupReader``: new entries with `XREADGROUP … BLOCK` on a connection of the
///   subscription's own, and entries pending longer than `processingTimeout` with `XAUTOCLAIM`
///   every `redeliverInterval` — never an entry this sidecar is still handling. Handled entries
///   are acknowledged in batches (`XACK`); a handler that fails leaves its entry pending, so it
///   is delivered again after `processingTimeout`.
/// - **Connection loss**: one ``Supervisor`` per component reconnects forever; subscriptions
///   resume their group on the new connection, and nothing acknowledged by Redis is lost.
///
/// Metadata: ``RedisPubSubSettings`` and ``RedisConnectionSettings``.
public final class RedisPubSub: PubSub, PingableComponent, HealthReporting {
    /// `pubsub.redis`.
    public static let descriptor = ComponentDescriptor(
        type: "pubsub.redis",
        summary: "Redis Streams (consumer groups, batched XACK, pending entries reclaimed after processingTimeout), on hiredis and SwiftNIO"
    ) { metadata in
        try await RedisPubSub.start(metadata: metadata)
    }

    private let name: String
    private let settings: RedisPubSubSettings
    private let supervisor: Supervisor<RedisClient>
    private let inFlight = InFlightEntries()
    private let clock: AnyClock
    private let logger: Logger
    private let closed = Mutex(false)

    /// Reads and checks the metadata without connecting; ``start(metadata:clock:)`` also connects.
    public init(metadata: ComponentMetadata, clock: AnyClock = .continuous) throws {
        settings = try RedisPubSubSettings(metadata)
        name = metadata.name
        self.clock = clock
        var logger = Logger(label: "outrigger.pubsub.redis")
        logger[metadataKey: "component"] = "\(metadata.name)"
        self.logger = logger
        supervisor = settings.connection.supervisor(name: metadata.name, clock: clock, logger: logger)
    }

    /// Builds the component and makes its first connection, so an unreachable server or
    /// refused credentials fail start-up with an error naming the field.
    public static func start(metadata: ComponentMetadata, clock: AnyClock = .continuous) async throws -> RedisPubSub {
        let pubsub = try RedisPubSub(metadata: metadata, clock: clock)
        try await pubsub.settings.connection.start(pubsub.supervisor, component: metadata.name)
        if pubsub.settings.redeliveryEnabled {
            do {
                try await pubsub.requireAutoClaim()
            } catch {
                await pubsub.supervisor.close()
                throw error
            }
        }
        if pubsub.settings.trimsBothWays {
            pubsub.logger.warning("maxLenApprox and streamTTL are both set; only maxLenApprox trims the stream")
        }
        return pubsub
    }

    /// Redelivery takes pending entries over with `XAUTOCLAIM`, which Redis has since 6.2: an
    /// older server fails start-up (naming `redisHost`) instead of every later read.
    private func requireAutoClaim() async throws {
        let lease = try await supervisor.lease()
        let info = (try? await lease.connection.send(RedisCommand("INFO", "server")))?.string ?? ""
        let line = info.split(whereSeparator: \.isNewline).first { $0.hasPrefix("redis_version:") }
        let parts = line.map { $0.dropFirst("redis_version:".count).split(separator: ".").compactMap { Int($0) } } ?? []
        guard parts.count >= 2, (parts[0], parts[1]) < (6, 2) else { return }
        throw ComponentConfigurationError(
            component: name, field: "redisHost",
            reason: "is Redis \(parts.map(String.init).joined(separator: ".")); pubsub.redis needs 6.2 or newer (XAUTOCLAIM), or redelivery disabled (processingTimeout: 0)")
    }

    /// The supervisor's view of the connection.
    public var health: ConnectionHealth { supervisor.health }

    /// `PING` on a pooled connection.
    public func ping() async throws {
        let lease = try await connected()
        do {
            _ = try await lease.connection.send(RedisCommand("PING"))
        } catch {
            if error.isConnectionProblem { supervisor.connectionLost(lease, error: error) }
            throw ComponentError(.retriable, "redis pubsub: error connecting to redis at \(settings.connection.address): \(error)")
        }
    }

    /// `XADD` of one entry (see ``DaprStreamEntry``); returns once Redis stored it. Fails at
    /// once, retriable, while there is no connection.
    public func publish(_ message: OutgoingMessage) async throws {
        let lease = try await connected()
        do {
            _ = try await lease.connection.xadd(message.topic, fields: DaprStreamEntry.fields(for: message), trim: trim())
        } catch {
            throw failure(error, lease)
        }
    }

    /// All entries written in one pipeline; a failure is reported for its index only.
    public func bulkPublish(_ messages: [OutgoingMessage]) async throws -> [BulkPublishFailure] {
        let lease = try await connected()
        let results = await lease.connection.xadd(batch: messages.map { ($0.topic, DaprStreamEntry.fields(for: $0)) }, trim: trim())
        return results.enumerated().compactMap { index, result in
            guard case .failure(let error) = result else { return nil }
            return BulkPublishFailure(index: index, error: failure(error, lease))
        }
    }

    /// Creates the consumer group and starts reading it (see the type's documentation);
    /// returns once a publish would be received.
    public func subscribe(_ request: SubscribeRequest, handler: @escaping MessageHandler) async throws -> Subscription {
        let lease = try await connected()
        let group = request.metadata.first { $0.key.lowercased() == "consumerid" }?.value ?? settings.consumerID ?? request.consumerGroup
        let reader = StreamGroupReader(
            stream: request.topic, group: group, settings: settings, supervisor: supervisor, inFlight: inFlight, clock: clock, logger: logger)
        try await reader.createGroup(on: lease)
        var orderingKey: (@Sendable (StreamDelivery) -> String?)?
        if request.orderedByKey {
            orderingKey = { delivery in delivery.message.metadata["partitionKey"] }
        }
        let configuration = ConsumerDriver<StreamDelivery>.Configuration(
            maxConcurrency: min(request.maxConcurrency, settings.concurrency), orderingKey: orderingKey)
        let handle: ConsumerDriver<StreamDelivery>.Handler = { delivery in try await handler(delivery.message) }
        let settle: ConsumerDriver<StreamDelivery>.Settle = { settlement in await reader.settle(settlement) }
        let driver = ConsumerDriver<StreamDelivery>(configuration: configuration, clock: clock, logger: logger, handler: handle, settle: settle)
        driver.start { room in try await reader.pull(room: room) }
        return Subscription(stopPulling: { driver.stopPulling() }, finish: {
            await driver.finish()
            await reader.close()
        })
    }

    /// Closes the connections; call after the subscriptions finished.
    public func close() async throws {
        closed.withLock { $0 = true }
        await supervisor.close()
    }

    // MARK: -

    /// The current connection, failing at once while there is none.
    private func connected() async throws -> Supervisor<RedisClient>.Lease {
        guard !closed.withLock({ $0 }) else { throw ComponentError(.terminal, "component is closed") }
        let health = supervisor.health
        guard health == .connected else {
            throw ComponentError(.retriable, "redis streams: not connected to \(settings.connection.address): \(health)")
        }
        return try await supervisor.lease()
    }

    /// How `XADD` trims: `maxLenApprox`, else `streamTTL` as a minimum id (milliseconds of the
    /// wall clock, as stream ids are).
    private func trim() -> RedisStreamTrim? {
        if settings.maxLenApprox > 0 { return .maxLengthApproximately(settings.maxLenApprox) }
        guard settings.streamTTL > .zero else { return nil }
        let oldest = Date().timeIntervalSince1970 - settings.streamTTL.seconds
        return .minimumIDApproximately("\(Int64(oldest * 1000))-1")
    }

    /// The component error for a failed publish; a broken connection is reported first.
    private func failure(_ error: RedisError, _ lease: Supervisor<RedisClient>.Lease) -> ComponentError {
        if error.isConnectionProblem { supervisor.connectionLost(lease, error: error) }
        // A key that holds something other than a stream will not become one by trying again.
        let kind: ComponentError.Kind = error.serverCode == "WRONGTYPE" ? .terminal : .retriable
        return ComponentError(kind, "redis streams: error from publish: \(error)")
    }
}
