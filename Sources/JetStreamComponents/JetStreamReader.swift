import Logging
import NATSClient
import OutriggerCore
import Synchronization

/// One message of a subscription, with the JetStream message that settles it.
struct JetStreamDelivery: Sendable {
    var message: JetStreamMessage
    var incoming: IncomingMessage
}

/// How one subscription reads its durable pull consumer: the `pull` and `settle` of its
/// ``ConsumerDriver``.
///
/// - **Pull** fetches at most the driver's room (``JetStreamSubscription/fetch(max:wait:)``),
///   so the server never sends more than the pipeline can take: that is the back-pressure.
///   Every message fetched is kept alive (``InProgressKeepAlive``) until it is settled, so a
///   slow handler's message is not redelivered by AckWait.
/// - **Settle**: handled messages are acknowledged (`+ACK`); failed ones are handed back with
///   `-NAK` delayed by `ackWait` (at once when it is not set), as daprd does; messages given
///   back unhandled (draining, cancelled) with `-NAK` at once, so another subscriber takes them.
/// - **Connection loss** is reported to the component's supervisor; the next pull, on the new
///   connection, binds a new pull subscription to the same durable consumer (creating the
///   consumer again if the server lost it).
final class JetStreamReader: Sendable {
    private struct Current {
        var generation: Int
        var subscription: JetStreamSubscription
    }

    /// The longest a fetch waits for a first message. A stop does not wait for it: stopping
    /// cancels the pull, and closing the subscription ends the fetch on its thread.
    static let fetchWait: Duration = .seconds(1)

    let topic: String
    let stream: String
    let consumerName: String
    private let ackPolicy: ConsumerConfiguration.AckPolicy
    private let failureDelay: Duration?
    private let supervisor: Supervisor<NATSConnection>
    private let prepare: @Sendable (NATSConnection) async throws -> Void
    let keepAlive: InProgressKeepAlive
    private let logger: Logger
    private let current = Mutex<Current?>(nil)

    init(
        topic: String, stream: String, consumerName: String, settings: JetStreamSettings, supervisor: Supervisor<NATSConnection>,
        keepAlive: InProgressKeepAlive, logger: Logger, prepare: @escaping @Sendable (NATSConnection) async throws -> Void
    ) {
        self.topic = topic
        self.stream = stream
        self.consumerName = consumerName
        self.ackPolicy = settings.ackPolicy
        self.failureDelay = settings.ackWait
        self.supervisor = supervisor
        self.keepAlive = keepAlive
        self.logger = logger
        self.prepare = prepare
    }

    /// Binds the pull subscription on `lease`'s connection (the consumer already exists).
    func open(_ lease: Supervisor<NATSConnection>.Lease) async throws {
        _ = try await subscription(for: lease, prepared: true)
    }

    /// Up to `room` messages; `[]` when none came within ``fetchWait``; `nil` once no
    /// connection will come (the component closed, or its credentials were refused).
    func pull(room: Int) async throws -> [JetStreamDelivery]? {
        let lease: Supervisor<NATSConnection>.Lease
        do {
            lease = try await supervisor.lease()
        } catch is Supervisor<NATSConnection>.Unavailable {
            return nil
        }
        let messages: [JetStreamMessage]
        do {
            let subscription = try await subscription(for: lease, prepared: false)
            messages = try await subscription.fetch(max: room, wait: Self.fetchWait, keepAlive: keepAlive)
        } catch let error as NATSError {
            if error.isConnectionProblem || lease.connection.isClosed { supervisor.connectionLost(lease, error: error) }
            throw error
        }
        return messages.map { message in
            JetStreamDelivery(message: message, incoming: IncomingMessage(topic: topic, data: message.data, metadata: ["Topic": message.subject]))
        }
    }

    /// This subscription's pull subscription on `lease`'s connection, bound when missing.
    private func subscription(for lease: Supervisor<NATSConnection>.Lease, prepared: Bool) async throws -> JetStreamSubscription {
        if let existing = current.withLock({ $0 }), existing.generation == lease.generation { return existing.subscription }
        if !prepared { try await prepare(lease.connection) }
        let subscription = try await lease.connection.pullSubscribe(subject: topic, stream: stream, consumer: consumerName)
        let replaced = current.withLock { current -> JetStreamSubscription? in
            defer { current = Current(generation: lease.generation, subscription: subscription) }
            return current?.subscription
        }
        if let replaced { await replaced.close() }
        return subscription
    }

    /// Acknowledges and hands back one batch (see the type's documentation). A refused
    /// acknowledgement (the connection closed) leaves the message to AckWait: at-least-once.
    func settle(_ settlement: Settlement<JetStreamDelivery>) async {
        let acks = settlement.acks.map(\.message)
        let naks = settlement.nacks.map { (message: $0.message.message, delay: $0.reason.isFailure ? failureDelay : nil) }
        keepAlive.release(acks + naks.map(\.message))
        guard ackPolicy != .none else { return }
        // Messages of an older connection go back through their own (closed) subscription.
        let acksBySubscription = Dictionary(grouping: acks) { ObjectIdentifier($0.subscription) }
        let naksBySubscription = Dictionary(grouping: naks) { ObjectIdentifier($0.message.subscription) }
        for key in Set(acksBySubscription.keys).union(naksBySubscription.keys) {
            let groupAcks = acksBySubscription[key] ?? []
            let groupNaks = naksBySubscription[key] ?? []
            guard let subscription = groupAcks.first?.subscription ?? groupNaks.first?.message.subscription else { continue }
            let refused = await subscription.settle(acks: groupAcks, naks: groupNaks)
            if refused > 0 {
                logger.warning("acknowledgements refused; the server delivers those messages again after AckWait", metadata: ["topic": "\(topic)", "count": "\(refused)"])
            }
        }
    }

    /// Stops the pull subscription; call once the driver finished.
    func close() async {
        let subscription = current.withLock { current in
            defer { current = nil }
            return current?.subscription
        }
        await subscription?.close()
    }
}
