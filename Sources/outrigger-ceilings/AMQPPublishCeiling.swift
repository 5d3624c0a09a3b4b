import NIOCore
import NIOHTTP1
import NIOPosix

/// `outrigger-ceilings nio-amqp PORT AMQP_PORT EXCHANGE`: the RabbitMQ publish ceiling. Each
/// `POST` body is published to EXCHANGE (mandatory, confirms on) on an AMQP connection of the
/// request's own event loop, and answered 204 when the broker's `basic.ack` for it arrives (500
/// for a `basic.nack`). What a sidecar could reach on this machine if it did nothing but that,
/// with no thread of its own for the broker connection: SwiftNIO owns the socket, writes each
/// loop tick's publishes with one write and reads the confirms on the same loop. No envelope,
/// no metadata, no reconnects.
///
/// A measuring tool, not a client: it speaks just enough AMQP 0-9-1 by hand (log in as guest,
/// open channel 1, `confirm.select`; `basic.publish` out; `basic.ack`, `basic.nack`,
/// `basic.return`, `channel.close`, `connection.close` in), which the component must not do: it
/// goes through rabbitmq-c (docs/components/pubsub.rabbitmq.md).
enum AMQPPublishCeiling {
    static func run(port: Int, amqpPort: Int, exchange: String) async throws {
        let group = MultiThreadedEventLoopGroup.singleton
        var publishers: [ObjectIdentifier: Publisher] = [:]
        for loop in group.makeIterator() {
            let publisher = Publisher(exchange: exchange, ready: loop.makePromise())
            _ = try await ClientBootstrap(group: loop)
                .channelOption(.socketOption(.tcp_nodelay), value: 1)
                .channelInitializer { channel in
                    channel.eventLoop.makeCompletedFuture { try channel.pipeline.syncOperations.addHandler(publisher) }
                }
                .connect(host: "127.0.0.1", port: amqpPort).get()
            try await publisher.ready.futureResult.get()
            publishers[ObjectIdentifier(loop)] = publisher
        }
        // Read-only once built; each connection uses the publisher of its own loop, only there.
        nonisolated(unsafe) let byLoop = publishers
        try await serve(port: port) { channel in
            let publisher = NIOLoopBound(byLoop[ObjectIdentifier(channel.eventLoop)]!, eventLoop: channel.eventLoop)
            return channel.pipeline.configureHTTPServerPipeline().flatMap {
                channel.pipeline.addHandler(PublishHandler(publisher: publisher))
            }
        }
    }

    struct BrokerClosed: Error {}

    /// One loop's AMQP connection: publishes written as frames, flushed once per loop tick,
    /// answered from the confirms in tag order.
    final class Publisher: ChannelDuplexHandler, @unchecked Sendable {
        typealias InboundIn = ByteBuffer
        typealias OutboundIn = ByteBuffer
        typealias OutboundOut = ByteBuffer

        private let exchange: [UInt8]
        /// Succeeds once channel 1 is in confirm mode.
        let ready: EventLoopPromise<Void>
        private var isReady = false
        private var context: ChannelHandlerContext?
        private var nextTag: UInt64 = 1
        /// Waiting publishes, oldest first, with their tags.
        private var waiting = CircularBuffer<(tag: UInt64, done: (Bool) -> Void)>()
        private var received = ByteBuffer()
        private var flushPending = false

        init(exchange: String, ready: EventLoopPromise<Void>) {
            self.exchange = Array(exchange.utf8)
            self.ready = ready
        }

        func handlerAdded(context: ChannelHandlerContext) { self.context = context }

        func channelActive(context: ChannelHandlerContext) {
            context.writeAndFlush(wrapOutboundOut(ByteBuffer(bytes: Array("AMQP".utf8) + [0, 0, 9, 1])), promise: nil)
        }

        func channelInactive(context: ChannelHandlerContext) {
            if !isReady { ready.fail(BrokerClosed()) }
        }

        /// The log-in and channel set-up, one answer per server method.
        private func handshake(_ classID: UInt16, _ method: UInt16, context: ChannelHandlerContext) {
            var frames = context.channel.allocator.buffer(capacity: 256)
            switch (classID, method) {
            case (10, 10):  // connection.start -> start-ok: no properties, PLAIN guest/guest, en_US
                frame(&frames, type: 1, channel: 0) { payload in
                    payload.writeInteger(UInt16(10)); payload.writeInteger(UInt16(11)); payload.writeInteger(UInt32(0))
                    payload.writeInteger(UInt8(5)); payload.writeString("PLAIN")
                    let response = Array("\0guest\0guest".utf8)
                    payload.writeInteger(UInt32(response.count)); payload.writeBytes(response)
                    payload.writeInteger(UInt8(5)); payload.writeString("en_US")
                }
            case (10, 30):  // connection.tune -> tune-ok (no heartbeats), connection.open "/"
                frame(&frames, type: 1, channel: 0) { payload in
                    payload.writeInteger(UInt16(10)); payload.writeInteger(UInt16(31))
                    payload.writeInteger(UInt16(1)); payload.writeInteger(UInt32(131_072)); payload.writeInteger(UInt16(0))
                }
                frame(&frames, type: 1, channel: 0) { payload in
                    payload.writeInteger(UInt16(10)); payload.writeInteger(UInt16(40))
                    payload.writeInteger(UInt8(1)); payload.writeString("/"); payload.writeInteger(UInt8(0)); payload.writeInteger(UInt8(0))
                }
            case (10, 41):  // connection.open-ok -> channel.open
                frame(&frames, type: 1) { payload in
                    payload.writeInteger(UInt16(20)); payload.writeInteger(UInt16(10)); payload.writeInteger(UInt8(0))
                }
            case (20, 11):  // channel.open-ok -> confirm.select
                frame(&frames, type: 1) { payload in
                    payload.writeInteger(UInt16(85)); payload.writeInteger(UInt16(10)); payload.writeInteger(UInt8(0))
                }
            case (85, 11):  // confirm.select-ok
                isReady = true
                ready.succeed()
            default:
                break
            }
            if frames.readableBytes > 0 { context.writeAndFlush(wrapOutboundOut(frames), promise: nil) }
        }

        func publish(_ body: ByteBuffer, done: @escaping (Bool) -> Void) {
            // One body frame only: within the frame-max agreed at tune-ok, less the frame's 8 bytes.
            guard let context, body.readableBytes <= 131_064 else { return done(false) }
            var frames = context.channel.allocator.buffer(capacity: body.readableBytes + 64 + exchange.count)
            // basic.publish: class 60, method 40, reserved, exchange, empty routing key, mandatory.
            frame(&frames, type: 1) { payload in
                payload.writeInteger(UInt16(60)); payload.writeInteger(UInt16(40)); payload.writeInteger(UInt16(0))
                payload.writeInteger(UInt8(exchange.count)); payload.writeBytes(exchange)
                payload.writeInteger(UInt8(0)); payload.writeInteger(UInt8(1))
            }
            // Content header: class 60, weight 0, body size, content-type "text/plain" (as the
            // direct baseline client).
            frame(&frames, type: 2) { payload in
                payload.writeInteger(UInt16(60)); payload.writeInteger(UInt16(0)); payload.writeInteger(UInt64(body.readableBytes))
                payload.writeInteger(UInt16(0x8000)); payload.writeInteger(UInt8(10)); payload.writeString("text/plain")
            }
            frame(&frames, type: 3) { payload in payload.writeImmutableBuffer(body) }
            context.write(wrapOutboundOut(frames), promise: nil)
            waiting.append((nextTag, done))
            nextTag += 1
            if !flushPending {
                flushPending = true
                context.eventLoop.assumeIsolated().execute { [self] in
                    flushPending = false
                    self.context?.flush()
                }
            }
        }

        private func frame(_ buffer: inout ByteBuffer, type: UInt8, channel: UInt16 = 1, _ payload: (inout ByteBuffer) -> Void) {
            buffer.writeInteger(type); buffer.writeInteger(channel)
            let sizeIndex = buffer.writerIndex
            buffer.writeInteger(UInt32(0))
            let start = buffer.writerIndex
            payload(&buffer)
            buffer.setInteger(UInt32(buffer.writerIndex - start), at: sizeIndex)
            buffer.writeInteger(UInt8(0xCE))
        }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            var bytes = unwrapInboundIn(data)
            received.writeBuffer(&bytes)
            while received.readableBytes >= 8, let size = received.getInteger(at: received.readerIndex + 3, as: UInt32.self),
                received.readableBytes >= 8 + Int(size) {
                let type = received.readInteger(as: UInt8.self)!
                received.moveReaderIndex(forwardBy: 6)
                var payload = received.readSlice(length: Int(size))!
                received.moveReaderIndex(forwardBy: 1)
                guard type == 1, let classID = payload.readInteger(as: UInt16.self), let method = payload.readInteger(as: UInt16.self) else { continue }
                switch (classID, method) {
                case (60, 80), (60, 120):
                    guard let tag = payload.readInteger(as: UInt64.self), let bits = payload.readInteger(as: UInt8.self) else { continue }
                    settle(upTo: tag, multiple: bits & 1 != 0, ok: method == 80)
                case (60, 50):
                    print("nio-amqp: a publish was returned (no queue bound to the exchange?)")
                case (20, 40), (10, 50):
                    print("nio-amqp: the broker closed the channel or connection")
                    context.close(promise: nil)
                default:
                    handshake(classID, method, context: context)
                }
            }
            received.discardReadBytes()
        }

        private func settle(upTo tag: UInt64, multiple: Bool, ok: Bool) {
            while let first = waiting.first, multiple ? first.tag <= tag : first.tag == tag {
                waiting.removeFirst().done(ok)
                if !multiple { break }
            }
        }
    }

    /// Reads each request to its end, publishes its body on the loop's connection and answers
    /// when the broker confirmed it.
    final class PublishHandler: ChannelInboundHandler {
        typealias InboundIn = HTTPServerRequestPart
        typealias OutboundOut = HTTPServerResponsePart
        private let publisher: NIOLoopBound<Publisher>
        private var body = ByteBuffer()

        init(publisher: NIOLoopBound<Publisher>) { self.publisher = publisher }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            switch unwrapInboundIn(data) {
            case .head:
                body.clear()
            case .body(var part):
                body.writeBuffer(&part)
            case .end:
                let bound = NIOLoopBound(context, eventLoop: context.eventLoop)
                publisher.value.publish(body) { [self] ok in
                    let context = bound.value
                    var headers = HTTPHeaders()
                    headers.add(name: "content-length", value: "0")
                    let head = HTTPResponseHead(version: .http1_1, status: ok ? .noContent : .internalServerError, headers: headers)
                    context.write(wrapOutboundOut(.head(head)), promise: nil)
                    context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
                }
                body = ByteBuffer()
            }
        }
    }
}
