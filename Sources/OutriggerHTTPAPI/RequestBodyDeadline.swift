import NIOCore
import NIOHTTP1

/// Closes a connection whose request body has not fully arrived `limit` after its head.
///
/// The server's idle timeout covers a client that stops sending, and a head sent a byte at a
/// time (no part is decoded until the head is complete), but every trickled body byte counts as
/// activity; this bounds the whole body, so a client sending one byte a second cannot hold a
/// connection and its request task for as long as `--max-body-size` bytes take.
///
/// The deadline is armed at the end of a read that left a body incomplete, not at every head: a
/// request that arrives whole in one read (the usual publish) never schedules a timer.
final class RequestBodyDeadline: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias InboundOut = HTTPServerRequestPart

    private let limit: TimeAmount
    private var deadline: Scheduled<Void>?
    /// A head has arrived and its end has not.
    private var inBody = false

    init(limit: TimeAmount) {
        self.limit = limit
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head:
            cancel()
            inBody = true
        case .body:
            break
        case .end:
            cancel()
            inBody = false
        }
        context.fireChannelRead(data)
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        if inBody, deadline == nil {
            let bound = NIOLoopBound(context, eventLoop: context.eventLoop)
            deadline = context.eventLoop.assumeIsolated().scheduleTask(in: limit) {
                bound.value.close(promise: nil)
            }
        }
        context.fireChannelReadComplete()
    }

    func channelInactive(context: ChannelHandlerContext) {
        cancel()
        context.fireChannelInactive()
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        cancel()
    }

    private func cancel() {
        deadline?.cancel()
        deadline = nil
    }
}

@available(*, unavailable)
extension RequestBodyDeadline: Sendable {}
