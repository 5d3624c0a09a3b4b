import DaprProto
import NIOCore
import NIOHPACK
import NIOHTTP2
import NIOPosix

/// A `PublishEvent` client on bare SwiftNIO HTTP/2 (`--client nio-h2`): one connection, one
/// HTTP/2 stream per call, the request's bytes made once. A gRPC unary call is an HTTP/2 POST of
/// one length-prefixed message answered by `200`, a message and `grpc-status` trailers; that is
/// all this client does, so its own share of a round trip is SwiftNIO's, not grpc-swift's
/// (whose client costs more than the sidecar's whole answer on this machine: `make bench`).
///
/// A call succeeds on `grpc-status: 0`; any other status, a non-200 answer, a reset or a closed
/// connection is a failed call, and so is no answer within ``PublishRequest/timeout``.
final class NIOH2PublishClient: Sendable {
    private let channel: any Channel
    private let multiplexer: NIOLoopBound<HTTP2StreamMultiplexer>
    private let head: HPACKHeaders
    private let body: ByteBuffer

    private init(channel: any Channel, multiplexer: HTTP2StreamMultiplexer, port: Int, request: Dapr_Proto_Runtime_V1_PublishEventRequest) throws {
        self.channel = channel
        self.multiplexer = NIOLoopBound(multiplexer, eventLoop: channel.eventLoop)
        head = HPACKHeaders([
            (":method", "POST"), (":scheme", "http"), (":path", "/dapr.proto.runtime.v1.Dapr/PublishEvent"),
            (":authority", "127.0.0.1:\(port)"), ("content-type", "application/grpc"), ("te", "trailers"),
        ])
        let message: [UInt8] = try request.serializedBytes()
        var body = ByteBuffer()
        body.writeInteger(UInt8(0))  // not compressed
        body.writeInteger(UInt32(message.count))
        body.writeBytes(message)
        self.body = body
    }

    /// Connects to 127.0.0.1:`port`.
    static func connect(port: Int, request: Dapr_Proto_Runtime_V1_PublishEventRequest) async throws -> NIOH2PublishClient {
        let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .channelOption(.tcpOption(.tcp_nodelay), value: 1)
            .channelInitializer { channel in
                channel.configureHTTP2Pipeline(mode: .client) { stream in stream.close() }.map { _ in }
            }
            .connect(host: "127.0.0.1", port: port).get()
        return try await channel.eventLoop.submit {
            let multiplexer = try channel.pipeline.syncOperations.handler(type: HTTP2StreamMultiplexer.self)
            return try NIOH2PublishClient(channel: channel, multiplexer: multiplexer, port: port, request: request)
        }.get()
    }

    /// One call; its failure is an outcome, as ``PublishRequest/send(_:with:)``'s.
    func send() async -> PublishRequest.Outcome {
        let answered = channel.eventLoop.makePromise(of: PublishRequest.Outcome.self)
        channel.eventLoop.execute { self.call { answered.succeed($0) } }
        return try! await answered.futureResult.get()  // never failed
    }

    /// Calls on this connection's event loop at a fixed interval from `first` until `end` (open
    /// loop), each timed by the loop's own timer, so no task or thread hop sits between a call's
    /// scheduled time and its send: `record` gets each outcome, its latency from the scheduled
    /// time and how late it was sent. Completes once every call has ended.
    func calls(
        from first: NIODeadline, every interval: TimeAmount, until end: NIODeadline,
        record: @escaping @Sendable (PublishRequest.Outcome, _ latency: TimeAmount, _ sendLag: TimeAmount) -> Void
    ) -> EventLoopFuture<Void> {
        let loop = channel.eventLoop
        let done = loop.makePromise(of: Void.self)
        loop.execute {
            var pending = 0
            var scheduling = true
            func fire(_ due: NIODeadline) {
                let sent = NIODeadline.now()
                pending += 1
                self.call { outcome in
                    record(outcome, NIODeadline.now() - due, sent - due)
                    pending -= 1
                    if !scheduling, pending == 0 { done.succeed() }
                }
                let next = due + interval
                if next < end {
                    loop.assumeIsolated().scheduleTask(deadline: next) { fire(next) }
                } else {
                    scheduling = false
                    if pending == 0 { done.succeed() }
                }
            }
            loop.assumeIsolated().scheduleTask(deadline: first) { fire(first) }
        }
        return done.futureResult
    }

    /// Starts one call on the connection's event loop; `done` runs there once it has ended.
    private func call(_ done: @escaping (PublishRequest.Outcome) -> Void) {
        let loop = channel.eventLoop
        let answered = loop.makePromise(of: Void.self)
        let timeout = loop.assumeIsolated().scheduleTask(in: .nanoseconds(PublishRequest.timeout.components.seconds * 1_000_000_000)) {
            answered.fail(CallFailure(description: "no answer within \(PublishRequest.timeout)"))
        }
        answered.futureResult.assumeIsolated().whenComplete { result in
            timeout.cancel()
            switch result {
            case .success: done(.answered)
            case .failure(let error): done(.failed("\(error)"))
            }
        }
        let (head, body) = (head, body)
        multiplexer.value.createStreamChannel(promise: nil) { stream in
            stream.eventLoop.makeCompletedFuture {
                try stream.pipeline.syncOperations.addHandler(Call(head: head, body: body, answered: answered))
            }
        }
    }

    func close() async {
        try? await channel.close()
    }

    struct CallFailure: Error, CustomStringConvertible {
        var description: String
    }

    /// One call on its stream: writes the request once the stream is active, reads the answer.
    private final class Call: ChannelInboundHandler {
        typealias InboundIn = HTTP2Frame.FramePayload
        typealias OutboundOut = HTTP2Frame.FramePayload

        private let head: HPACKHeaders
        private let body: ByteBuffer
        private let answered: EventLoopPromise<Void>
        private var sent = false

        init(head: HPACKHeaders, body: ByteBuffer, answered: EventLoopPromise<Void>) {
            self.head = head
            self.body = body
            self.answered = answered
        }

        func handlerAdded(context: ChannelHandlerContext) {
            if context.channel.isActive { sendRequest(context) }
        }

        func channelActive(context: ChannelHandlerContext) {
            sendRequest(context)
            context.fireChannelActive()
        }

        private func sendRequest(_ context: ChannelHandlerContext) {
            guard !sent else { return }
            sent = true
            context.write(wrapOutboundOut(.headers(.init(headers: head))), promise: nil)
            context.writeAndFlush(wrapOutboundOut(.data(.init(data: .byteBuffer(body), endStream: true))), promise: nil)
        }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            switch unwrapInboundIn(data) {
            case .headers(let headers) where headers.endStream:
                // The trailers, or a trailers-only answer.
                let status = headers.headers.first(name: "grpc-status")
                if status == "0" {
                    answered.succeed()
                } else {
                    let message = headers.headers.first(name: "grpc-message") ?? ""
                    answered.fail(CallFailure(description: "grpc-status \(status ?? "missing"): \(message)"))
                }
            case .headers(let headers):
                if let status = headers.headers.first(name: ":status"), status != "200" {
                    answered.fail(CallFailure(description: "HTTP status \(status)"))
                    context.close(promise: nil)
                }
            case .rstStream(let code):
                answered.fail(CallFailure(description: "stream reset (\(code))"))
            default:
                break
            }
        }

        func channelInactive(context: ChannelHandlerContext) {
            answered.fail(CallFailure(description: "the stream closed before its trailers"))
            context.fireChannelInactive()
        }
    }
}
