import NIOCore
import NIOHPACK
import NIOHTTP2

/// `nio-h2`: the floor under the sidecar's gRPC API without grpc-swift. Bare SwiftNIO HTTP/2
/// that answers every call, once its request has ended, with what a unary gRPC call answers:
/// `200` with `content-type: application/grpc`, one empty length-prefixed message, and the
/// trailers `grpc-status: 0`. It reads nothing of the request and routes nothing.
enum GRPCNoOp {
    final class Handler: ChannelInboundHandler, @unchecked Sendable {
        typealias InboundIn = HTTP2Frame.FramePayload
        typealias OutboundOut = HTTP2Frame.FramePayload

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            switch unwrapInboundIn(data) {
            case .headers(let headers) where headers.endStream: answer(context)
            case .data(let body) where body.endStream: answer(context)
            default: break
            }
        }

        private func answer(_ context: ChannelHandlerContext) {
            let head = HPACKHeaders([(":status", "200"), ("content-type", "application/grpc")])
            context.write(wrapOutboundOut(.headers(.init(headers: head))), promise: nil)
            var message = context.channel.allocator.buffer(capacity: 5)
            message.writeBytes([0, 0, 0, 0, 0])  // not compressed, length 0
            context.write(wrapOutboundOut(.data(.init(data: .byteBuffer(message)))), promise: nil)
            let trailers = HPACKHeaders([("grpc-status", "0")])
            context.writeAndFlush(wrapOutboundOut(.headers(.init(headers: trailers, endStream: true))), promise: nil)
        }
    }

    static func run(port: Int) async throws {
        try await serve(port: port) { channel in
            channel.configureHTTP2Pipeline(mode: .server) { stream in
                stream.pipeline.addHandler(Handler())
            }.map { _ in }
        }
    }
}
