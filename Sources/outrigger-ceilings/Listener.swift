import NIOCore
import NIOPosix

/// How every ceiling server listens, so they differ only in their handlers: 127.0.0.1:`port`
/// on the shared event loops, backlog 1024, `TCP_NODELAY` on each connection (as the sidecar's
/// own listeners). Returns when the server channel closes.
func serve(port: Int, initializer: @escaping @Sendable (any Channel) -> EventLoopFuture<Void>) async throws {
    let channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
        .serverChannelOption(.backlog, value: 1024)
        .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
        .childChannelInitializer(initializer)
        .childChannelOption(.socketOption(.tcp_nodelay), value: 1)
        .bind(host: "127.0.0.1", port: port).get()
    try await channel.closeFuture.get()
}
