import Logging
import OutriggerCore
import RedisClient

extension RedisConnectionSettings {
    /// The supervisor that keeps a component's ``RedisClient`` connected (one per component);
    /// refused credentials end its attempts.
    func supervisor(name: String, clock: AnyClock, logger: Logger) -> Supervisor<RedisClient> {
        let configuration = configuration
        let poolSize = poolSize
        return Supervisor(
            name: name, clock: clock, logger: logger,
            isTerminal: { error in
                if case .server(let reply) = error as? RedisError { return reply.isAuthenticationFailure }
                return false
            },
            connect: { try await RedisClient.connect(configuration, poolSize: poolSize) },
            disconnect: { await $0.close() })
    }

    /// Makes the first connection; a failure is a start-up error naming the field to fix.
    func start(_ supervisor: Supervisor<RedisClient>, component: String) async throws {
        do {
            try await supervisor.start()
        } catch let error as RedisError {
            var field = "redisHost"
            if case .server(let reply) = error {
                field = reply.isAuthenticationFailure ? "redisPassword" : (reply.message.contains("DB index") ? "redisDB" : "redisHost")
            }
            throw ComponentConfigurationError(component: component, field: field, reason: "does not connect to \(address): \(error)")
        }
    }
}
