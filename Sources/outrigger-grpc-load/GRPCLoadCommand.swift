import ArgumentParser

/// `outrigger-grpc-load`: load for the Dapr gRPC API's `PublishEvent`, and the no-op server that is
/// its ceiling, so `make bench` can print the sidecar's gRPC latency beside what the gRPC stack
/// alone costs on the same machine.
///
/// ```
/// outrigger-grpc-load noop 18922 &
/// outrigger-grpc-load load 18922 --qps 1000 --connections 16 --seconds 10
/// outrigger-grpc-load saturate 18922 --concurrency 64 --seconds 10
/// ```
///
/// `load` and `saturate` print one `RESULT {json}` line, as the other bench tools do.
@main
struct GRPCLoadCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "outrigger-grpc-load",
        abstract: "PublishEvent load (open loop at a fixed rate, or closed loop at saturation) and a no-op Dapr gRPC server.",
        subcommands: [OpenLoopCommand.self, SaturateCommand.self, NoOpCommand.self])
}
