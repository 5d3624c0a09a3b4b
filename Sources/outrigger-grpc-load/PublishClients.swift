import ArgumentParser
import DaprProto
import GRPCCore
import GRPCNIOTransportHTTP2Posix
import OutriggerGRPCAPI

/// `PublishEvent` clients of one server, each on its own HTTP/2 connection, as calls: each
/// sends the run's request once and says how it ended.
enum PublishClients {
    typealias Call = @Sendable () async -> PublishRequest.Outcome

    /// How long the warm-up request of each connection waits for the server to answer (it may
    /// still be starting).
    static let warmUpTimeout = Duration.seconds(30)

    /// Connects `count` clients of kind `client` to 127.0.0.1:`port`, sends `request` once
    /// through each (so connection set-up is not measured), runs `body` with their calls of
    /// `request` and closes them.
    ///
    /// Throws when a warm-up request fails: a run against a server that refuses every publish
    /// would measure errors, not latency.
    static func with<Result: Sendable>(
        port: Int, count: Int, client: ClientChoice, request: Dapr_Proto_Runtime_V1_PublishEventRequest,
        _ body: @Sendable ([Call]) async throws -> Result
    ) async throws -> Result {
        switch client {
        case .grpcSwift: try await withGRPCSwift(port: port, count: count, request: request, body)
        case .nioH2: try await withNIOH2(port: port, count: count, request: request, body)
        }
    }

    private static func withGRPCSwift<Result: Sendable>(
        port: Int, count: Int, request: Dapr_Proto_Runtime_V1_PublishEventRequest, _ body: @Sendable ([Call]) async throws -> Result
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
                _ = try await client.publishEvent(request, options: options)
            }
            return try await body(clients.map { client in { await PublishRequest.send(request, with: client) } })
        }
    }

    private static func withNIOH2<Result: Sendable>(
        port: Int, count: Int, request: Dapr_Proto_Runtime_V1_PublishEventRequest, _ body: @Sendable ([Call]) async throws -> Result
    ) async throws -> Result {
        try await withNIOH2Clients(port: port, count: count, request: request) { clients in
            try await body(clients.map { client in { await client.send() } })
        }
    }

    /// Like ``with(port:count:client:request:_:)`` for `nio-h2`, handing `body` the clients
    /// themselves (the open loop schedules their calls on their event loops).
    static func withNIOH2Clients<Result: Sendable>(
        port: Int, count: Int, request: Dapr_Proto_Runtime_V1_PublishEventRequest, _ body: @Sendable ([NIOH2PublishClient]) async throws -> Result
    ) async throws -> Result {
        var clients: [NIOH2PublishClient] = []
        do {
            for _ in 0..<count {
                clients.append(try await connectWhenListening(port: port, request: request))
            }
            for client in clients {
                if case .failed(let error) = await client.send() { throw NIOH2PublishClient.CallFailure(description: "warm-up call: \(error)") }
            }
            let result = try await body(clients)
            for client in clients { await client.close() }
            return result
        } catch {
            for client in clients { await client.close() }
            throw error
        }
    }

    /// Connects, retrying refused connections for up to ``warmUpTimeout`` (a server starting).
    private static func connectWhenListening(port: Int, request: Dapr_Proto_Runtime_V1_PublishEventRequest) async throws -> NIOH2PublishClient {
        let clock = ContinuousClock()
        let deadline = clock.now + warmUpTimeout
        while true {
            do {
                return try await NIOH2PublishClient.connect(port: port, request: request)
            } catch where clock.now < deadline {
                try await clock.sleep(for: .milliseconds(50))
            }
        }
    }
}

/// Which client a load runs on.
enum ClientChoice: String, ExpressibleByArgument, CaseIterable {
    /// grpc-swift 2's generated Dapr client over its HTTP/2 transport.
    case grpcSwift = "grpc-swift"
    /// ``NIOH2PublishClient``: bare SwiftNIO HTTP/2, the client's share as small as it gets.
    case nioH2 = "nio-h2"
}
