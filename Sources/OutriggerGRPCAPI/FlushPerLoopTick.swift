import GRPCNIOTransportHTTP2Posix
import NIOCore

/// Coalesces the flushes of one HTTP/2 connection within one turn of its event loop.
///
/// grpc-swift coalesces flushes on a timer by default: a flush waits up to 100 µs for more
/// writes. Under load that batches answers; at low load every answer (and, in a client, every
/// request) waits out the timer, and the timer's wake-up costs a loop turn of its own. This
/// handler sits next to the socket and turns the flushes asked for while the loop handles one
/// round of reads and jobs into one: the first flush queues a job on the loop, later ones find
/// it queued, and the job flushes once the round is over. Nothing waits for a clock, and RPCs
/// answered together still leave in one write.
///
/// Used in place of grpc-swift's coalescing (`flushPerLoopTick()` on a transport's config) by
/// the gRPC API server, the gRPC app channel and the gRPC load client.
public final class FlushPerLoopTick: ChannelOutboundHandler, RemovableChannelHandler {
    public typealias OutboundIn = NIOAny

    private var flushQueued = false

    public init() {}

    public func flush(context: ChannelHandlerContext) {
        guard !flushQueued else { return }
        flushQueued = true
        // The job is queued from the loop's own thread: no wake-up, it runs after this round.
        context.eventLoop.assumeIsolated().execute {
            guard self.flushQueued else { return }
            self.flushQueued = false
            context.flush()
        }
    }

    public func close(context: ChannelHandlerContext, mode: CloseMode, promise: EventLoopPromise<Void>?) {
        // What was written before a close goes out before it.
        if flushQueued {
            flushQueued = false
            context.flush()
        }
        context.close(mode: mode, promise: promise)
    }

    /// Adds the handler next to the socket of `channel` (the transports' connection callbacks).
    public static func install(on channel: any Channel) -> EventLoopFuture<Void> {
        channel.eventLoop.makeCompletedFuture {
            try channel.pipeline.syncOperations.addHandler(FlushPerLoopTick(), position: .first)
        }
    }
}

extension HTTP2ServerTransport.Posix.Config {
    /// Turns grpc-swift's timed flush coalescing off and flushes once per loop turn instead
    /// (``FlushPerLoopTick``). `then` runs after the handler is installed, for other handlers.
    public mutating func flushPerLoopTick(then next: (@Sendable (any Channel) -> EventLoopFuture<Void>)? = nil) {
        connection.flushCoalescing = nil
        channelDebuggingCallbacks.onAcceptTCPConnection = { channel in
            let installed = FlushPerLoopTick.install(on: channel)
            guard let next else { return installed }
            return installed.flatMap { next(channel) }
        }
    }
}

extension HTTP2ClientTransport.Posix.Config {
    /// Turns grpc-swift's timed flush coalescing off and flushes once per loop turn instead
    /// (``FlushPerLoopTick``).
    public mutating func flushPerLoopTick() {
        connection.flushCoalescing = nil
        channelDebuggingCallbacks.onCreateTCPConnection = FlushPerLoopTick.install(on:)
    }
}
