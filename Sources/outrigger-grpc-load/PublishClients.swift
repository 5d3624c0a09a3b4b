import DaprProto
import GRPCCore
import GRPCNIOTransportHTTP2Posix
import OutriggerGRPCAPI

/// Dapr API clients of one server, each on its own HTTP/2 connection.
enum PublishClients {
    /// How long the warm-up request of each connection waits for the server to answer (it may
    /// still be starting).
    static let warmUpTimeout = Duration.seconds(30)

    /// Connects `count` clients to 127.0.0.1:`port`, sends `warmUp` once through each (so
    /// connection set-up is not measured), runs `body` with them and closes them.
    ///
    /// Throws when a warm-up request fails: a run against a server that refuses every publish
    /// would measure errors, not latency.
    static func with<Result: Sendable>(
        port: Int, count: Int, warmUp: Dapr_Proto_Runtime_V1_PublishEventRequest, _ body: @Sendable ([DaprClient]) async throws -> Result
    ) async throws -> Result {
        var config = HTTP2ClientTransport.Posix.Config.defaults
        config.flushPerLoopTick()
        let grpcClients = try (0..<count).map { _ in
            GRPCClient(transport: try HTTP2ClientTransport.Posix(target: .ipv4(address: "127.0.0.1", port: port), transportSecurity: .plaintext, config: config))
        }
        return try await withThrowingTaskGroup(of: Void.self) { group in
            for client in grpcClients {
                group.addTask { try await client.runConnections() }
            }
            defer {
                for client in grpcClients { client.beginGracefulShutdown() }
            }
            let clients = grpcClients.map { DaprClient(wrapping: $0) }
            var options = CallOptions.defaults
            options.timeout = warmUpTimeout
            options.waitForReady = true
            for client in clients {
                _ = try await client.publishEvent(warmUp, options: options)
            }
            return try await body(clients)
        }
    }
}
