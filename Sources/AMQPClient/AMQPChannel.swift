import CRabbitMQ

/// A channel of an ``AMQPConnection``. Its methods run on the connection's thread; a channel
/// the broker closed (an argument it refused) fails every later call.
public final class AMQPChannel: Sendable {
    /// The channel number on its connection.
    public let number: UInt16
    /// The connection it belongs to.
    public let connection: AMQPConnection

    init(number: UInt16, connection: AMQPConnection) {
        self.number = number
        self.connection = connection
    }

    /// `exchange.declare`.
    public func declareExchange(_ name: String, kind: String, durable: Bool, autoDelete: Bool, arguments: AMQPTable = []) async throws {
        let arguments = SendableTable(arguments)
        try await connection.perform { session throws(AMQPError) in
            _ = try session.rpc(self) { connection, channel, arena in
                amqp_exchange_declare(connection, channel, arena.bytes(name), arena.bytes(kind), 0, durable ? 1 : 0, autoDelete ? 1 : 0, 0, arena.table(arguments.table))
            }
        }
    }

    /// `queue.declare`; the queue's name (the broker's choice for an empty `name`).
    @discardableResult
    public func declareQueue(_ name: String, durable: Bool, exclusive: Bool, autoDelete: Bool, arguments: AMQPTable = []) async throws -> String {
        let arguments = SendableTable(arguments)
        return try await connection.perform { session throws(AMQPError) in
            try session.rpc(self) { connection, channel, arena in
                amqp_queue_declare(connection, channel, arena.bytes(name), 0, durable ? 1 : 0, exclusive ? 1 : 0, autoDelete ? 1 : 0, arena.table(arguments.table))?
                    .pointee.queue.string ?? name
            }
        }
    }

    /// `queue.bind`.
    public func bindQueue(_ queue: String, exchange: String, routingKey: String) async throws {
        try await connection.perform { session throws(AMQPError) in
            _ = try session.rpc(self) { connection, channel, arena in
                amqp_queue_bind(connection, channel, arena.bytes(queue), arena.bytes(exchange), arena.bytes(routingKey), amqp_table_t(num_entries: 0, entries: nil))
            }
        }
    }

    /// `queue.delete`; the number of messages it held.
    @discardableResult
    public func deleteQueue(_ queue: String) async throws -> Int {
        try await connection.perform { session throws(AMQPError) in
            try session.rpc(self) { connection, channel, arena in
                Int(amqp_queue_delete(connection, channel, arena.bytes(queue), 0, 0)?.pointee.message_count ?? 0)
            }
        }
    }

    /// `exchange.delete`.
    public func deleteExchange(_ exchange: String) async throws {
        try await connection.perform { session throws(AMQPError) in
            _ = try session.rpc(self) { connection, channel, arena in amqp_exchange_delete(connection, channel, arena.bytes(exchange), 0) }
        }
    }

    /// `basic.qos`: at most `count` unacknowledged deliveries on this channel (0: unlimited).
    public func setPrefetch(_ count: Int) async throws {
        try await connection.perform { session throws(AMQPError) in
            _ = try session.rpc(self) { connection, channel, _ in amqp_basic_qos(connection, channel, 0, UInt16(clamping: count), 0) }
        }
    }

    /// `confirm.select`: from now on ``publish(exchange:routingKey:body:properties:mandatory:)``
    /// returns only when the broker confirmed the message.
    public func enableConfirms() async throws {
        try await connection.perform { session throws(AMQPError) in try session.enableConfirms(self) }
    }

    /// `basic.publish`. In confirm mode it returns when the broker's `basic.ack` for this very
    /// message arrives (one `multiple` ack answers many publishes), and throws
    /// ``AMQPError/nacked`` for a `basic.nack` and ``AMQPError/unroutable(code:text:)`` when a
    /// `mandatory` message was returned. Without confirms it returns once the frames are written.
    public func publish(exchange: String, routingKey: String, body: [UInt8], properties: AMQPMessageProperties = .init(), mandatory: Bool = false) async throws {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
            let accepted = connection.submit { session in
                session.publish(self, exchange: exchange, routingKey: routingKey, mandatory: mandatory, properties: properties, body: body, continuation: continuation)
            }
            if !accepted { continuation.resume(throwing: connection.failure ?? AMQPError.closed) }
        }
    }

    /// `basic.consume` (manual acknowledgement); returns once the broker answered `consume-ok`.
    public func consume(queue: String, tag: String = "", exclusive: Bool = false, arguments: AMQPTable = []) async throws -> AMQPConsumer {
        let arguments = SendableTable(arguments)
        return try await connection.perform { session throws(AMQPError) in
            try session.consume(self, queue: queue, tag: tag, exclusive: exclusive, arguments: arguments.table)
        }
    }

    /// `basic.cancel`; the consumer ends at once.
    public func cancel(_ consumer: AMQPConsumer) async throws {
        try await connection.perform { session throws(AMQPError) in try session.cancel(consumer) }
    }

    /// `basic.ack` of `deliveryTag` (and every earlier unsettled tag when `multiple`).
    public func ack(_ deliveryTag: UInt64, multiple: Bool = false) async throws {
        try await connection.perform { session throws(AMQPError) in
            try session.settle(self, deliveryTag: deliveryTag, multiple: multiple, ack: true, requeue: false)
        }
    }

    /// `basic.nack`: back to the queue when `requeue`, else dead-lettered (or dropped).
    public func nack(_ deliveryTag: UInt64, multiple: Bool = false, requeue: Bool) async throws {
        try await connection.perform { session throws(AMQPError) in
            try session.settle(self, deliveryTag: deliveryTag, multiple: multiple, ack: false, requeue: requeue)
        }
    }

    /// Whether the channel is still open (as far as this client knows).
    public var isOpen: Bool {
        get async { (try? await connection.perform { session throws(AMQPError) in _ = try session.open(self) }) != nil }
    }

    /// `channel.close`; its consumers end and unsettled deliveries go back to their queues.
    public func close() async {
        _ = try? await connection.perform { session throws(AMQPError) in session.closeChannel(self) }
    }
}

/// A field table crossing to the connection's thread; its values are all Sendable, the tuple
/// array just is not spelled as such.
struct SendableTable: Sendable {
    var table: AMQPTable
    init(_ table: AMQPTable) { self.table = table }
}
