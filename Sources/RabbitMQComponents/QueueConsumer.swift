import AMQPClient
import Logging
import OutriggerCore
import Synchronization

/// One queue consumed for a ``ConsumerDriver``: the `pull`, `settle` and `recover` of a
/// RabbitMQ subscription or input binding.
///
/// - **Attach**: on its own channel of the current connection: `basic.qos` (the prefetch,
///   which bounds the deliveries buffered in the ``AMQPConsumer``), the declarations the
///   owner gives, `basic.consume` with manual acknowledgement. It happens when the
///   subscription starts, again after every reconnect (the supervisor's resubscriber), and
///   on the next pull whenever the consumer ended (channel closed, queue deleted).
/// - **Pull**: up to `room` deliveries from the consumer, waiting for one.
/// - **Settle**: acknowledgements of one channel with `basic.ack multiple` as far as they are
///   contiguous (``AckPlan``), the rest one by one; nacks requeue, except a message the
///   pipeline gave up on when `deadLetterFailures` is set: that one is rejected without
///   requeue, so the queue's dead-letter exchange takes it. Deliveries of a channel that is
///   gone are not settled: the broker has already put them back.
/// - **autoAck** acknowledges each pulled batch at once (still bounded by the prefetch);
///   settling then does nothing.
final class QueueConsumer: Sendable {
    typealias Declare = @Sendable (AMQPChannel) async throws -> Void

    private struct Attached {
        var connection: ObjectIdentifier
        var channel: AMQPChannel
        var consumer: AMQPConsumer
    }

    private struct State {
        var attached: Attached?
        var attaching: (connection: ObjectIdentifier, task: Task<AMQPConsumer, any Error>)?
        var unsettled: [ObjectIdentifier: Set<UInt64>] = [:]
        var detached = false
    }

    let queue: String
    private let prefetch: Int
    private let autoAck: Bool
    private let deadLetterFailures: Bool
    private let supervisor: Supervisor<RabbitMQLink>
    private let clock: AnyClock
    private let logger: Logger
    private let declare: Declare
    private let state = Mutex(State())

    init(
        queue: String, prefetch: Int, autoAck: Bool, deadLetterFailures: Bool, supervisor: Supervisor<RabbitMQLink>, clock: AnyClock,
        logger: Logger, declare: @escaping Declare
    ) {
        self.queue = queue
        self.prefetch = prefetch
        self.autoAck = autoAck
        self.deadLetterFailures = deadLetterFailures
        self.supervisor = supervisor
        self.clock = clock
        self.logger = logger
        self.declare = declare
    }

    // MARK: - Attach

    /// The live consumer on `link`'s connection, declaring and consuming when there is none.
    /// Concurrent callers for the same connection share one attempt.
    @discardableResult
    func attach(_ link: RabbitMQLink) async throws -> AMQPConsumer {
        let id = ObjectIdentifier(link.connection)
        let next = try state.withLock { state -> Result<AMQPConsumer, Never>? in
            guard !state.detached else { throw AMQPError.consumerCancelled("the subscription was stopped") }
            if let attached = state.attached, attached.connection == id, !attached.consumer.isFinished { return .success(attached.consumer) }
            return nil
        }
        if case .success(let consumer) = next { return consumer }
        let task = state.withLock { state -> Task<AMQPConsumer, any Error> in
            if let attaching = state.attaching, attaching.connection == id { return attaching.task }
            let task = Task { try await self.consume(on: link) }
            state.attaching = (id, task)
            return task
        }
        return try await task.value
    }

    private func consume(on link: RabbitMQLink) async throws -> AMQPConsumer {
        let id = ObjectIdentifier(link.connection)
        defer { state.withLock { if $0.attaching?.connection == id { $0.attaching = nil } } }
        let channel = try await link.connection.openChannel()
        do {
            try await channel.setPrefetch(prefetch)
            try await declare(channel)
            let consumer = try await channel.consume(queue: queue)
            let previous = try state.withLock { state -> Attached? in
                guard !state.detached else { throw AMQPError.consumerCancelled("the subscription was stopped") }
                defer { state.attached = Attached(connection: id, channel: channel, consumer: consumer) }
                return state.attached
            }
            if let previous, previous.connection == id { await previous.channel.close() }
            logger.debug("consuming", metadata: ["queue": "\(queue)", "channel": "\(channel.number)"])
            return consumer
        } catch {
            await channel.close()
            throw error
        }
    }

    /// Re-subscribes after a reconnect; an argument the broker refuses is logged, not a
    /// reason for yet another reconnect (the next pull tries again after its backoff).
    func resubscribe(_ link: RabbitMQLink) async throws {
        do {
            try await attach(link)
        } catch let error as AMQPError where !error.isConnectionProblem {
            logger.error("re-subscribing failed", metadata: ["queue": "\(queue)", "error": "\(error)"])
        }
    }

    // MARK: - Pull

    /// Up to `room` deliveries; `nil` once no connection will ever come.
    func pull(room: Int) async throws -> [AMQPDelivery]? {
        let lease: Supervisor<RabbitMQLink>.Lease
        do {
            lease = try await supervisor.lease()
        } catch is Supervisor<RabbitMQLink>.Unavailable {
            logger.error("no connection will come; the subscription ends", metadata: ["queue": "\(queue)"])
            return nil
        }
        do {
            let consumer = try await attach(lease.connection)
            let deliveries = try await consumer.next(max: room)
            guard let last = deliveries.last else { return deliveries }
            let channel = ObjectIdentifier(last.channel)
            if autoAck {
                try? await last.channel.ack(last.deliveryTag, multiple: true)
            } else {
                state.withLock { state in state.unsettled[channel, default: []].formUnion(deliveries.map(\.deliveryTag)) }
            }
            return deliveries
        } catch {
            if Task.isCancelled { throw CancellationError() }
            if !lease.connection.isUsable { supervisor.connectionLost(lease, error: error) }
            throw error
        }
    }

    /// After a failed pull: the supervisor's recovery; a failure on a connection that is still
    /// usable (a declare the broker refused) waits its backoff before the next pull.
    func recover(after error: any Error, attempt: Int) async {
        await supervisor.recover(attempt: attempt) { $0.isUsable }
    }

    /// Delivers the queue's messages to `handler` through the seam's consumer driver, attached
    /// again after every reconnect, until the returned subscription stops (then detached).
    /// The pub/sub component and the input binding both read through here.
    func deliver(concurrency: Int, handler: @escaping @Sendable (AMQPDelivery) async throws -> Void) -> Subscription {
        let token = supervisor.addResubscriber { link in try await self.resubscribe(link) }
        let driver = ConsumerDriver<AMQPDelivery>(
            configuration: .init(maxConcurrency: concurrency), clock: clock, logger: logger,
            handler: handler,
            settle: { settlement in await self.settle(settlement) })
        driver.start(recover: { error, attempt in await self.recover(after: error, attempt: attempt) }, pull: { room in
            try await self.pull(room: room)
        })
        return Subscription(stopPulling: { driver.stopPulling() }, finish: {
            await driver.finish()
            self.supervisor.removeResubscriber(token)
            await self.detach()
        })
    }

    // MARK: - Settle

    func settle(_ settlement: Settlement<AMQPDelivery>) async {
        var channels: [ObjectIdentifier: AMQPChannel] = [:]
        var acks: [ObjectIdentifier: [UInt64]] = [:]
        for delivery in settlement.acks {
            let id = ObjectIdentifier(delivery.channel)
            channels[id] = delivery.channel
            acks[id, default: []].append(delivery.deliveryTag)
        }
        var nacks: [(AMQPDelivery, Bool)] = []
        for (delivery, reason) in settlement.nacks {
            channels[ObjectIdentifier(delivery.channel)] = delivery.channel
            nacks.append((delivery, !(reason.isFailure && deadLetterFailures)))
        }
        let snapshots = state.withLock { state -> [ObjectIdentifier: Set<UInt64>] in
            var snapshots: [ObjectIdentifier: Set<UInt64>] = [:]
            for id in channels.keys {
                snapshots[id] = state.unsettled[id] ?? []
                state.unsettled[id]?.subtract(acks[id] ?? [])
                state.unsettled[id]?.subtract(nacks.filter { ObjectIdentifier($0.0.channel) == id }.map(\.0.deliveryTag))
                if state.unsettled[id]?.isEmpty == true { state.unsettled[id] = nil }
            }
            return snapshots
        }
        guard !autoAck else { return }
        do {
            for (id, tags) in acks {
                guard let channel = channels[id] else { continue }
                let plan = AckPlan(acks: tags, unsettled: snapshots[id] ?? [])
                if let upTo = plan.multipleUpTo { try await channel.ack(upTo, multiple: true) }
                for tag in plan.single { try await channel.ack(tag) }
            }
            for (delivery, requeue) in nacks {
                try await delivery.channel.nack(delivery.deliveryTag, requeue: requeue)
            }
        } catch {
            logger.warning("settling failed; the broker delivers the messages again", metadata: ["queue": "\(queue)", "error": "\(error)"])
        }
    }

    // MARK: - Stop

    /// Cancels the consumer and closes its channel; deliveries still unsettled go back to the
    /// queue. Call once the driver finished.
    func detach() async {
        let (attached, attaching) = state.withLock { state in
            state.detached = true
            defer {
                state.attached = nil
                state.attaching = nil
            }
            return (state.attached, state.attaching?.task)
        }
        if let attaching, let consumer = try? await attaching.value { await consumer.channel.close() }
        guard let attached else { return }
        try? await attached.channel.cancel(attached.consumer)
        await attached.channel.close()
    }
}
