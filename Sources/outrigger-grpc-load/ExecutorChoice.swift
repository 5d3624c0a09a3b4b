import ArgumentParser
import NIOPosix
import EventLoopExecutor
import OutriggerGRPCAPI

/// Where a command's tasks run: on SwiftNIO's event loops, as the sidecar's gRPC API serves
/// (``EventLoopTaskExecutor``), or on Swift's cooperative pool, grpc-swift's default.
enum ExecutorChoice: String, ExpressibleByArgument, CaseIterable {
    case eventLoop = "event-loop"
    case pool

    /// Runs `body` with this choice as its task executor preference.
    func run<Result>(_ body: () async throws -> Result) async throws -> Result {
        switch self {
        case .eventLoop:
            try await withTaskExecutorPreference(EventLoopTaskExecutor(MultiThreadedEventLoopGroup.singleton)) { try await body() }
        case .pool:
            try await body()
        }
    }
}
