import AMQPClient
import Logging
import OutriggerCore
import Synchronization

/// One broker connection as the RabbitMQ components use it: the ``AMQPConnection``, the
/// channel publishes go through (in confirm mode when asked), and the exchanges already
/// declared on this connection. A ``Supervisor`` keeps one per component and replaces it after
/// a loss, so the exchange cache starts empty on every new connection.
final class RabbitMQLink: Sendable {
    let connection: AMQPConnection
    /// Publishes only: declares go on channels of their own, so a refused declare never
    /// closes the channel every publish shares.
    let publisher: AMQPChannel
    private let declaredExchanges = Mutex<Set<String>>([])

    private init(connection: AMQPConnection, publisher: AMQPChannel) {
        self.connection = connection
        self.publisher = publisher
    }

    /// Connects, and opens the publishing channel (`confirm.select` when `confirms`).
    static func open(_ configuration: AMQPConfiguration, confirms: Bool) async throws -> RabbitMQLink {
        let connection = try await AMQPConnection.open(configuration)
        do {
            let publisher = try await connection.openChannel()
            if confirms { try await publisher.enableConfirms() }
            return RabbitMQLink(connection: connection, publisher: publisher)
        } catch {
            await connection.close()
            throw error
        }
    }

    /// Whether the connection and the publishing channel are still usable.
    var isUsable: Bool { connection.isOpen }

    func close() async { await connection.close() }

    /// `exchange.declare` once per connection and exchange, on a short-lived channel.
    func ensureExchange(_ name: String, kind: String, durable: Bool, autoDelete: Bool) async throws {
        guard !declaredExchanges.withLock({ $0.contains(name) }) else { return }
        let channel = try await connection.openChannel()
        do {
            try await channel.declareExchange(name, kind: kind, durable: durable, autoDelete: autoDelete)
        } catch {
            await channel.close()
            throw error
        }
        await channel.close()
        declaredExchanges.withLock { _ = $0.insert(name) }
    }

    /// Forgets `name`, so the next publish declares it again (it was deleted meanwhile).
    func forgetExchange(_ name: String) {
        declaredExchanges.withLock { _ = $0.remove(name) }
    }

    /// The supervisor that keeps a component's link up; refused credentials end its attempts.
    /// `prepare` runs on every new connection before it is handed out (a binding declares its
    /// queue there).
    static func supervisor(
        name: String, configuration: AMQPConfiguration, confirms: Bool, logger: Logger,
        prepare: @escaping @Sendable (RabbitMQLink) async throws -> Void = { _ in }
    ) -> Supervisor<RabbitMQLink> {
        Supervisor(
            name: name, logger: logger,
            isTerminal: { error in
                if case .accessRefused = error as? AMQPError { return true }
                return false
            },
            connect: {
                let link = try await RabbitMQLink.open(configuration, confirms: confirms)
                do {
                    try await prepare(link)
                } catch {
                    await link.close()
                    throw error
                }
                return link
            },
            disconnect: { await $0.close() })
    }

    /// Makes the first connection; a failure is a start-up error naming the field to fix:
    /// `field` (where the broker is), `password` for refused credentials given separately,
    /// `declaredField` for a declaration of `prepare` the broker refused.
    static func start(_ supervisor: Supervisor<RabbitMQLink>, component: String, field: String, declaredField: String? = nil, address: String) async throws {
        do {
            try await supervisor.start()
        } catch let error as AMQPError {
            var culprit = field
            if case .accessRefused = error, field == "hostname" { culprit = "password" }
            if case .channelClosed = error, let declaredField {
                throw ComponentConfigurationError(component: component, field: declaredField, reason: "cannot be declared on \(address): \(error)")
            }
            throw ComponentConfigurationError(component: component, field: culprit, reason: "does not connect to \(address): \(error)")
        }
    }
}
