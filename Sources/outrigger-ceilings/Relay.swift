import NIOCore
import NIOHTTP1
import NIOPosix
import Synchronization

/// `outrigger-ceilings nio-relay PORT APP_PORT`: the end-to-end ceiling. Each publish is answered
/// 204 at once and its body is then POSTed to the app on 127.0.0.1:APP_PORT, on a keep-alive
/// connection of the same event loop; `GET /delivered` answers how many the app acknowledged
/// with a 2xx. Nothing else: no envelope, no broker, no routing, no retries, no tasks, no
/// locks but one atomic counter. What SwiftNIO and this machine's loopback TCP allow for "one
/// HTTP exchange in, one out" per event, measured the way `make bench` measures the sidecar.
enum Relay {
    /// Connections to the app per event loop: 64 over the two loops of the bench machine, as the
    /// sidecar's app client keeps at most 64.
    static let connectionsPerLoop = 32

    static func run(port: Int, appPort: Int) async throws {
        let group = MultiThreadedEventLoopGroup.singleton
        let delivered = Counter()
        var relays: [ObjectIdentifier: LoopRelay] = [:]
        for loop in group.makeIterator() {
            relays[ObjectIdentifier(loop)] = LoopRelay(eventLoop: loop, appPort: appPort, delivered: delivered)
        }
        // Read-only once built; each connection takes the relay of its own loop and uses it only there.
        nonisolated(unsafe) let byLoop = relays
        try await serve(port: port) { channel in
            let relay = byLoop[ObjectIdentifier(channel.eventLoop)]!
            return channel.pipeline.configureHTTPServerPipeline().flatMap {
                channel.pipeline.addHandler(PublishHandler(relay: NIOLoopBound(relay, eventLoop: channel.eventLoop), delivered: delivered))
            }
        }
    }

    final class Counter: Sendable {
        private let value = Atomic<Int>(0)
        func increment() { value.add(1, ordering: .relaxed) }
        var count: Int { value.load(ordering: .relaxed) }
    }

    /// Answers each publish 204 and hands its body to the loop's relay; `GET /delivered` answers
    /// the count.
    final class PublishHandler: ChannelInboundHandler {
        typealias InboundIn = HTTPServerRequestPart
        typealias OutboundOut = HTTPServerResponsePart
        private let relay: NIOLoopBound<LoopRelay>
        private let delivered: Counter
        private var head: HTTPRequestHead?
        private var body: ByteBuffer?

        init(relay: NIOLoopBound<LoopRelay>, delivered: Counter) {
            self.relay = relay
            self.delivered = delivered
        }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            switch unwrapInboundIn(data) {
            case .head(let request):
                head = request
                body = nil
            case .body(var chunk):
                if body == nil { body = chunk } else { body!.writeBuffer(&chunk) }
            case .end:
                guard let request = head else { return }
                if request.method == .GET {
                    answer(context, status: .ok, text: "\(delivered.count)", keepAlive: request.isKeepAlive)
                } else {
                    answer(context, status: .noContent, text: nil, keepAlive: request.isKeepAlive)
                    relay.value.forward(body ?? context.channel.allocator.buffer(capacity: 0))
                }
                head = nil
                body = nil
            }
        }

        private func answer(_ context: ChannelHandlerContext, status: HTTPResponseStatus, text: String?, keepAlive: Bool) {
            var headers = HTTPHeaders()
            headers.add(name: "content-length", value: "\(text?.utf8.count ?? 0)")
            context.write(wrapOutboundOut(.head(HTTPResponseHead(version: .http1_1, status: status, headers: headers))), promise: nil)
            if let text { context.write(wrapOutboundOut(.body(.byteBuffer(context.channel.allocator.buffer(string: text)))), promise: nil) }
            context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
            if !keepAlive { context.close(promise: nil) }
        }
    }

    /// One event loop's connections to the app and the bodies waiting for one; used only on
    /// that loop.
    final class LoopRelay {
        let eventLoop: any EventLoop
        let appPort: Int
        let delivered: Counter
        private var idle: [any Channel] = []
        private var connections = 0
        private var waiting = CircularBuffer<ByteBuffer>()

        init(eventLoop: any EventLoop, appPort: Int, delivered: Counter) {
            self.eventLoop = eventLoop
            self.appPort = appPort
            self.delivered = delivered
        }

        func forward(_ body: ByteBuffer) {
            if let channel = idle.popLast() {
                send(body, on: channel)
            } else {
                waiting.append(body)
                if connections < Relay.connectionsPerLoop { connect() }
            }
        }

        private func connect() {
            connections += 1
            let bound = NIOLoopBound(self, eventLoop: eventLoop)
            ClientBootstrap(group: eventLoop)
                .channelOption(.socketOption(.tcp_nodelay), value: 1)
                .channelInitializer { channel in
                    channel.pipeline.addHTTPClientHandlers().flatMap {
                        channel.pipeline.addHandler(AnswerHandler(relay: bound))
                    }
                }
                .connect(host: "127.0.0.1", port: appPort)
                .whenComplete { result in
                    switch result {
                    case .success(let channel): bound.value.ready(channel)
                    case .failure: bound.value.connections -= 1
                    }
                }
        }

        /// A connection is free: it takes the oldest waiting body, or waits itself.
        func ready(_ channel: any Channel) {
            if let body = waiting.popFirst() {
                send(body, on: channel)
            } else {
                idle.append(channel)
            }
        }

        func answered(_ channel: any Channel, status: HTTPResponseStatus, keepAlive: Bool) {
            if (200..<300).contains(status.code) { delivered.increment() }
            if keepAlive {
                ready(channel)
            } else {
                // The app closes it (nginx after `keepalive_requests`): another one takes over.
                channel.close(promise: nil)
            }
        }

        /// A connection closed: its slot is free again.
        func closed(_ channel: any Channel) {
            connections -= 1
            idle.removeAll { $0 === channel }
            if !waiting.isEmpty { connect() }
        }

        private func send(_ body: ByteBuffer, on channel: any Channel) {
            var headers = HTTPHeaders()
            headers.add(name: "host", value: "127.0.0.1:\(appPort)")
            headers.add(name: "content-type", value: "application/cloudevents+json")
            headers.add(name: "content-length", value: "\(body.readableBytes)")
            channel.write(HTTPClientRequestPart.head(HTTPRequestHead(version: .http1_1, method: .POST, uri: "/orders", headers: headers)), promise: nil)
            channel.write(HTTPClientRequestPart.body(.byteBuffer(body)), promise: nil)
            channel.writeAndFlush(HTTPClientRequestPart.end(nil), promise: nil)
        }
    }

    /// Reports each answer of the app to the relay.
    final class AnswerHandler: ChannelInboundHandler {
        typealias InboundIn = HTTPClientResponsePart
        private let relay: NIOLoopBound<LoopRelay>
        private var status: HTTPResponseStatus = .ok
        private var keepAlive = true

        init(relay: NIOLoopBound<LoopRelay>) {
            self.relay = relay
        }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            switch unwrapInboundIn(data) {
            case .head(let head):
                status = head.status
                keepAlive = head.isKeepAlive
            case .body: break
            case .end: relay.value.answered(context.channel, status: status, keepAlive: keepAlive)
            }
        }

        func channelInactive(context: ChannelHandlerContext) {
            relay.value.closed(context.channel)
            context.fireChannelInactive()
        }
    }
}
