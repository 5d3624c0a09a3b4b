import ArgumentParser
import GRPCCore
import GRPCNIOTransportHTTP2Posix
import OutriggerGRPCAPI

/// `noop`: a gRPC server whose `PublishEvent` answers at once (``NoOpDaprService``), on the same
/// transport, configuration and executor as the sidecar's gRPC API: the ceiling the sidecar's
/// figure is measured against. Prints `listening on PORT` once it accepts connections; runs until killed.
struct NoOpCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "noop",
        abstract: "A Dapr gRPC server whose PublishEvent answers at once (the ceiling).")

    @Argument(help: "The port to listen on, on 127.0.0.1.")
    var port: Int

    @Option(help: "Where the RPCs' tasks run: event-loop (as the sidecar serves) or pool (grpc-swift's default).")
    var executor = ExecutorChoice.eventLoop

    func run() async throws {
        var config = HTTP2ServerTransport.Posix.Config.defaults
        config.rpc.maxRequestPayloadSize = 4 << 20
        config.flushPerLoopTick()
        let transport = HTTP2ServerTransport.Posix(address: .ipv4(host: "127.0.0.1", port: port), transportSecurity: .plaintext, config: config)
        let server = GRPCServer(transport: transport, services: [NoOpDaprService()])
        let executor = executor
        try await withThrowingDiscardingTaskGroup { group in
            group.addTask { try await executor.run { try await server.serve() } }
            if let address = try await transport.listeningAddress.ipv4 {
                writeLine("listening on \(address.port)", to: 1)
            }
        }
    }
}
