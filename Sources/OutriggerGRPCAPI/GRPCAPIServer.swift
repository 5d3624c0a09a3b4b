import EventLoopExecutor
import GRPCCore
import GRPCNIOTransportHTTP2Posix
import Logging
import NIOPosix
import ServiceLifecycle

/// The Dapr gRPC API on `--dapr-grpc-port`: `dapr.proto.runtime.v1.Dapr` over plaintext HTTP/2
/// (see ``DaprService`` for the RPCs).
///
/// A `Service`: `run()` serves until graceful shutdown, then takes no new RPCs and returns once
/// those in flight have finished (``StreamingSubscriptions`` ends the streams before that).
///
/// Every RPC's task runs on the event loops of the transport (``EventLoopTaskExecutor``),
/// so a unary call is read, handled and answered on its connection's thread. `PublishEvent`
/// is answered on its HTTP/2 stream before grpc-swift (``PublishEventFastPath``).
///
/// ```swift
/// let api = GRPCAPIServer(host: "127.0.0.1", port: 50001, service: DaprService(dependencies: dependencies, logger: logger), logger: logger)
/// ```
public struct GRPCAPIServer: Service {
    /// The server could not listen (port taken, bad address).
    public struct ListenError: Error, CustomStringConvertible {
        public var address: String
        public var reason: String
        public var description: String { "the gRPC API cannot listen on \(address) (--dapr-grpc-port): \(reason)" }
    }

    public let host: String
    public let port: Int
    /// Largest request message accepted, in bytes (`--max-body-size`).
    public let maxMessageSize: Int
    let service: DaprService
    let logger: Logger
    /// `DAPR_API_TOKEN`: when set, every RPC must carry it.
    let apiToken: String?
    /// How long a new connection may take to send the HTTP/2 preface (`--http-read-timeout`).
    let prefaceTimeout: Duration

    public init(
        host: String, port: Int, maxMessageSize: Int = 4 << 20, prefaceTimeout: Duration = .seconds(60), apiToken: String? = nil,
        service: DaprService, logger: Logger
    ) {
        self.apiToken = apiToken
        self.prefaceTimeout = prefaceTimeout
        self.host = host
        self.port = port
        self.maxMessageSize = maxMessageSize
        self.service = service
        self.logger = logger
    }

    public func run() async throws {
        var config = HTTP2ServerTransport.Posix.Config.defaults
        config.rpc.maxRequestPayloadSize = maxMessageSize
        let prefaceTimeout = prefaceTimeout
        config.flushPerLoopTick { channel in
            channel.eventLoop.makeCompletedFuture {
                try channel.pipeline.syncOperations.addHandler(HTTP2PrefaceDeadline(limit: prefaceTimeout), position: .first)
            }
        }
        let loops = MultiThreadedEventLoopGroup.singleton
        let executor = EventLoopTaskExecutor(loops)
        let (service, maxMessageSize, apiToken) = (service, maxMessageSize, apiToken)
        config.channelDebuggingCallbacks.onAcceptHTTP2Stream = { stream in
            stream.eventLoop.makeCompletedFuture {
                let fastPath = PublishEventFastPath(service: service, maxMessageSize: maxMessageSize, apiToken: apiToken, executor: executor)
                try stream.pipeline.syncOperations.addHandler(fastPath, position: .first)
            }
        }
        let transport = HTTP2ServerTransport.Posix(
            address: .ipv4(host: host, port: port), transportSecurity: .plaintext, config: config, eventLoopGroup: loops)
        let server = GRPCServer(
            transport: transport, services: [service], interceptors: apiToken.map { [APITokenServerInterceptor(token: $0)] } ?? [])
        try await withThrowingDiscardingTaskGroup { group in
            group.addTask {
                if let address = try? await transport.listeningAddress {
                    logger.info("gRPC API listening", metadata: ["address": "\(address)"])
                }
            }
            do {
                try await withGracefulShutdownHandler {
                    // The transport's tasks for connections and RPCs are child tasks: they inherit the preference.
                    try await withTaskExecutorPreference(executor) { try await server.serve() }
                } onGracefulShutdown: {
                    server.beginGracefulShutdown()
                }
            } catch let error as RuntimeError {
                // A shutdown that arrives before the server started serving stops it cleanly.
                if Task.isShuttingDownGracefully { return }
                throw ListenError(address: "\(host):\(port)", reason: "\(error.cause.map { "\($0)" } ?? error.message)")
            }
            logger.debug("gRPC API stopped")
        }
    }
}
