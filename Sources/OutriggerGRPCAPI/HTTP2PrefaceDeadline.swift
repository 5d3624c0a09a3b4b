import NIOCore

/// Closes a gRPC connection whose client has not sent the HTTP/2 connection preface and its
/// first SETTINGS frame within `limit` of connecting (`--http-read-timeout`), so a client that
/// stops halfway through (slowloris on the gRPC port) does not hold a descriptor forever: the
/// transport's idle timer only starts once HTTP/2 is up.
///
/// It sits first in the connection's pipeline, passes every byte on unchanged, and removes
/// itself once the preface is complete. Plaintext only: it reads the bytes off the socket.
final class HTTP2PrefaceDeadline: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer

    /// The client's connection preface (RFC 9113 §3.4), then a 9-byte frame header.
    private static let prefaceLength = 24
    private static let frameHeaderLength = 9

    private let limit: TimeAmount
    /// The first bytes of the connection, until the SETTINGS frame's header is among them.
    private var head: [UInt8] = []
    private var received = 0
    private var deadline: Scheduled<Void>?

    init(limit: Duration) {
        self.limit = TimeAmount(limit)
    }

    func handlerAdded(context: ChannelHandlerContext) {
        let bound = NIOLoopBound(context, eventLoop: context.eventLoop)
        deadline = context.eventLoop.scheduleTask(in: limit) {
            bound.value.close(promise: nil)
        }
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        deadline?.cancel()
        deadline = nil
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let buffer = unwrapInboundIn(data)
        received += buffer.readableBytes
        let wanted = Self.prefaceLength + Self.frameHeaderLength
        if head.count < wanted, let bytes = buffer.getBytes(at: buffer.readerIndex, length: min(wanted - head.count, buffer.readableBytes)) {
            head += bytes
        }
        context.fireChannelRead(data)
        guard head.count == wanted else { return }
        // The SETTINGS frame's payload length: the first 3 bytes of its header.
        let header = head[Self.prefaceLength...]
        let payload = Int(header[header.startIndex]) << 16 | Int(header[header.startIndex + 1]) << 8 | Int(header[header.startIndex + 2])
        if received >= wanted + payload {
            context.pipeline.syncOperations.removeHandler(context: context, promise: nil)
        }
    }
}
