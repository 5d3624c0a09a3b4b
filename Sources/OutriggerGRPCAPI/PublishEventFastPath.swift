import DaprProto
import EventLoopExecutor
import Foundation
import GRPCCore
import NIOCore
import NIOHPACK
import NIOHTTP2
import OutriggerDelivery

/// `dapr.proto.runtime.v1.Dapr/PublishEvent` answered on its HTTP/2 stream, before grpc-swift.
///
/// grpc-swift's server costs about 0.28 ms per call on this machine above what SwiftNIO's
/// HTTP/2 costs for the same round trip (`make bench`: the no-op grpc-swift server against
/// `outrigger-ceilings nio-h2`, one call at a time): the RPC's async request and response
/// sequences, the router, the interceptors and their tasks. That is more than a publish itself.
/// This handler sits first on every HTTP/2 stream of the gRPC API. It reads the stream's
/// request headers; a plain `PublishEvent` it reads, publishes and answers here, anything else
/// it passes on untouched and leaves the stream, so grpc-swift serves every other call,
/// and the publishes it leaves alone:
///
/// - a request whose headers end the stream (no message), or that names a `grpc-encoding`
///   other than `identity` (grpc-swift answers those with its own checks);
/// - while `DAPR_API_TOKEN` is set, a request without the right `dapr-api-token` (grpc-swift's
///   interceptor refuses it).
///
/// The publish is ``DaprService/publish(_:traceParent:traceState:)``, grpc-swift's path's
/// own, and a refused one gets the same status, message and `grpc-status-details-bin`. The
/// answer is what a unary call answers: `200` with `content-type: application/grpc`, one empty
/// message and `grpc-status: 0`; an error is a trailers-only answer.
///
/// grpc-swift still sees every stream open: its task for the stream waits for the method, and
/// ends when the stream closes. The stream stays open until the answer has been written, so a
/// graceful shutdown, which waits for every stream, waits for these publishes too.
final class PublishEventFastPath: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = HTTP2Frame.FramePayload
    typealias InboundOut = HTTP2Frame.FramePayload
    typealias OutboundOut = HTTP2Frame.FramePayload

    static let path = "/dapr.proto.runtime.v1.Dapr/PublishEvent"

    private enum State {
        case idle
        /// The request's message being read (into ``body``).
        case reading(traceParent: String, traceState: String)
        /// Published or being published; nothing more of the request matters.
        case answering
    }

    private let service: DaprService
    private let maxMessageSize: Int
    private let apiToken: String?
    /// The server's executor over its event loops: a publish's task runs on this stream's loop.
    private let executor: EventLoopTaskExecutor
    private var state = State.idle
    /// What arrived of the request's body: the usual single DATA frame's buffer as it came,
    /// later frames appended to it.
    private var body = ByteBuffer()

    init(service: DaprService, maxMessageSize: Int, apiToken: String?, executor: EventLoopTaskExecutor) {
        self.service = service
        self.executor = executor
        self.maxMessageSize = maxMessageSize
        self.apiToken = apiToken
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch (state, unwrapInboundIn(data)) {
        case (.idle, .headers(let headers)):
            guard !headers.endStream, takes(headers.headers) else {
                // grpc-swift's: pass this frame on and leave the stream.
                context.fireChannelRead(data)
                context.pipeline.syncOperations.removeHandler(context: context, promise: nil)
                return
            }
            state = .reading(traceParent: headers.headers.first(name: "traceparent") ?? "", traceState: headers.headers.first(name: "tracestate") ?? "")
        case (.reading(let traceParent, let traceState), .data(let frame)):
            guard case .byteBuffer(var chunk) = frame.data else { return }
            // The 5-byte message prefix is not part of the message's size.
            guard body.readableBytes + chunk.readableBytes <= maxMessageSize + 5 else {
                state = .answering
                body = ByteBuffer()
                answer(
                    .failure(.resourceExhausted, "the request message is larger than \(maxMessageSize) bytes (--max-body-size)", [:]),
                    context: context)
                return
            }
            if body.readableBytes == 0 { body = chunk } else { body.writeBuffer(&chunk) }
            if frame.endStream { publish(traceParent: traceParent, traceState: traceState, context: context) }
        case (.reading(let traceParent, let traceState), .headers(let trailers)) where trailers.endStream:
            publish(traceParent: traceParent, traceState: traceState, context: context)
        case (.reading, .rstStream), (.answering, _):
            // A reset stream's publish is not made; one being made goes on, its answer dropped.
            state = .answering
        default:
            // Window updates, priority and the like: the stream channel handles them.
            break
        }
    }

    /// A stream taken here ends without grpc-swift's handler hearing of it: that handler never
    /// saw the request, so its state machine would take the close for a broken call and raise
    /// an error through the pipeline (7 % of the sidecar's CPU under h2load). The stream's
    /// handlers are removed once it has closed, which settles grpc-swift's side (its task stops
    /// waiting for the method, its inbound sequence ends) without an error.
    func channelInactive(context: ChannelHandlerContext) {
        if case .idle = state { context.fireChannelInactive() }
    }

    /// Whether the request is a `PublishEvent` this handler answers (see the type's notes).
    private func takes(_ headers: HPACKHeaders) -> Bool {
        guard headers.first(name: ":path") == Self.path else { return false }
        if let encoding = headers.first(name: "grpc-encoding"), encoding != "identity" { return false }
        if let apiToken, headers.first(name: "dapr-api-token") != apiToken { return false }
        return true
    }

    private func publish(traceParent: String, traceState: String, context: ChannelHandlerContext) {
        state = .answering
        let body = body
        self.body = ByteBuffer()
        let request: Dapr_Proto_Runtime_V1_PublishEventRequest
        switch Self.message(in: body) {
        case .failure(let answer):
            self.answer(answer, context: context)
            return
        case .success(let bytes):
            do {
                request = try Dapr_Proto_Runtime_V1_PublishEventRequest(serializedBytes: bytes)
            } catch {
                answer(.failure(.invalidArgument, "the request is not a PublishEventRequest: \(error)", [:]), context: context)
                return
            }
        }
        let handler = NIOLoopBound(self, eventLoop: context.eventLoop)
        let boundContext = NIOLoopBound(context, eventLoop: context.eventLoop)
        let eventLoop = context.eventLoop
        let service = service
        Task(executorPreference: executor) {
            let answer: Answer
            do throws(DaprRPCError) {
                try await service.publish(request, traceParent: traceParent, traceState: traceState)
                answer = .ok
            } catch {
                answer = .failure(error.code, error.rpcErrorMessage, error.rpcErrorMetadata)
            }
            if eventLoop.inEventLoop {
                handler.value.answer(answer, context: boundContext.value)
            } else {
                eventLoop.execute { handler.value.answer(answer, context: boundContext.value) }
            }
        }
    }

    /// The one message of a unary request: its bytes, or the answer that refuses the request.
    static func message(in body: ByteBuffer) -> Result<[UInt8], Answer> {
        var body = body
        guard let compressed = body.readInteger(as: UInt8.self), let length = body.readInteger(as: UInt32.self) else {
            return .failure(.failure(.internalError, "a unary request must carry exactly one message; it carried none", [:]))
        }
        guard compressed == 0 else {
            return .failure(.failure(.internalError, "the request message is compressed, but the request names no grpc-encoding", [:]))
        }
        guard let bytes = body.readBytes(length: Int(length)), body.readableBytes == 0 else {
            return .failure(.failure(.internalError, "a unary request must carry exactly one message; its body does not hold one whole", [:]))
        }
        return .success(bytes)
    }

    enum Answer: Error, Equatable {
        case ok
        case failure(RPCError.Code, String, Metadata)
    }

    private static let okHead = HPACKHeaders([(":status", "200"), ("content-type", "application/grpc")])
    private static let okTrailers = HPACKHeaders([("grpc-status", "0")])

    private func answer(_ answer: Answer, context: ChannelHandlerContext) {
        switch answer {
        case .ok:
            context.write(wrapOutboundOut(.headers(.init(headers: Self.okHead))), promise: nil)
            var message = context.channel.allocator.buffer(capacity: 5)
            message.writeBytes([0, 0, 0, 0, 0])  // not compressed, length 0: google.protobuf.Empty
            context.write(wrapOutboundOut(.data(.init(data: .byteBuffer(message)))), promise: nil)
            context.writeAndFlush(wrapOutboundOut(.headers(.init(headers: Self.okTrailers, endStream: true))), promise: nil)
        case .failure(let code, let message, let metadata):
            let trailers = Self.trailersOnly(code: code, message: message, metadata: metadata)
            context.writeAndFlush(wrapOutboundOut(.headers(.init(headers: trailers, endStream: true))), promise: nil)
        }
    }

    /// A trailers-only answer, as grpc-swift writes one: status, percent-encoded message, then
    /// the metadata (binary values in padded base64).
    static func trailersOnly(code: RPCError.Code, message: String, metadata: Metadata) -> HPACKHeaders {
        var trailers = HPACKHeaders([(":status", "200"), ("content-type", "application/grpc"), ("grpc-status", String(code.rawValue))])
        if !message.isEmpty { trailers.add(name: "grpc-message", value: percentEncoded(message)) }
        for (key, value) in metadata {
            switch value {
            case .string(let text): trailers.add(name: key.lowercased(), value: text)
            case .binary(let bytes): trailers.add(name: key.lowercased(), value: Data(bytes).base64EncodedString())
            }
        }
        return trailers
    }

    /// `grpc-message` encoding: every byte outside 0x20–0x7E, and `%`, as `%XX`.
    static func percentEncoded(_ message: String) -> String {
        let utf8 = Array(message.utf8)
        guard utf8.contains(where: { $0 < 0x20 || $0 > 0x7E || $0 == UInt8(ascii: "%") }) else { return message }
        let hex = Array("0123456789ABCDEF".utf8)
        var encoded: [UInt8] = []
        encoded.reserveCapacity(utf8.count * 3)
        for byte in utf8 {
            if byte < 0x20 || byte > 0x7E || byte == UInt8(ascii: "%") {
                encoded += [UInt8(ascii: "%"), hex[Int(byte >> 4)], hex[Int(byte & 0xF)]]
            } else {
                encoded.append(byte)
            }
        }
        return String(decoding: encoded, as: UTF8.self)
    }
}
