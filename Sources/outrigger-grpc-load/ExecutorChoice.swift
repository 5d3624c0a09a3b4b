import ArgumentParser
import NIOPosix
import OutriggerGRPCAPI

/// Where a command's tasks run: on SwiftNIO's event loops, as the sidecar's gRPC API serves
/// (``EventLoopGroupTaskExecutor``), or on Swift's cooperative pool, grpc-swift's default.
enum ExecutorChoice: String, ExpressibleByArgument, CaseIterable {
    case eventLoop = "event-loop"
    case pool

    /// Runs `body` with this choice as its task executor preference.
    func run<Result>(_ body: () async throws -> Result) async throws -> Result {
        switch self {
        case .eventLoop:
            try await withTaskExecutorPreference(EventLoopGroupTaskExecutor(.singleton)) { try await body() }
        case .pool:
            try await body()
        }
    }
}
