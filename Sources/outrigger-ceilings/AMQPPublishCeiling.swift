import CLibraryLoader
import CRabbitMQ
import NIOCore
import NIOHTTP1
import NIOPosix

/// `outrigger-ceilings nio-amqp PORT AMQP_PORT EXCHANGE`: the RabbitMQ publish ceiling. Each
/// `POST` body is published to EXCHANGE (mandatory, confirms on) on an AMQP connection of the
/// request's own event loop, and answered 204 when the broker's `basic.ack` for it arrives (500
/// for a `basic.nack`). What a sidecar could reach on this machine if it did nothing but that,
/// with no thread of its own for the broker connection: the handshake is rabbitmq-c's (blocking,
/// before serving), then SwiftNIO owns the socket, writes each loop tick's publishes with one
/// write and reads the confirms on the same loop. No envelope, no metadata, no reconnects.
///
/// A measuring tool, not a client: the frames are written and read here by hand, only the
/// methods this needs (`basic.publish` out; `basic.ack`, `basic.nack`, `basic.return`,
/// `channel.close`, `connection.close` in), which the component must not do (it goes through
/// rabbitmq-c, docs/components/pubsub.rabbitmq.md).
enum AMQPPublishCeiling {
    static func run(port: Int, amqpPort: Int, exchange: String) async throws {
        let group = MultiThreadedEventLoopGroup.singleton
        var publishers: [ObjectIdentifier: Publisher] = [:]
        for loop in group.makeIterator() {
            let socket = try handshake(port: amqpPort)
            let publisher = Publisher(exchange: exchange)
            _ = try await ClientBootstrap(group: loop)
                .channelInitializer { channel in
                    channel.eventLoop.makeCompletedFuture { try channel.pipeline.syncOperations.addHandler(publisher) }
                }
                .withConnectedSocket(socket).get()
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

    /// Connects, logs in as guest, opens channel 1 in confirm mode; returns a duplicate of the
    /// socket for SwiftNIO (rabbitmq-c's connection is left open and unused).
    static func handshake(port: Int) throws -> NIOBSDSocket.Handle {
        struct Failure: Error, CustomStringConvertible { var description: String }
        if let failure = outrigger_load_rabbitmq() { throw Failure(description: String(cString: failure)) }
        var timeout = timeval(tv_sec: 5, tv_usec: 0)
        guard let connection = amqp_new_connection(), let socket = amqp_tcp_socket_new(connection),
            amqp_socket_open_noblock(socket, "127.0.0.1", Int32(port), &timeout) == AMQP_STATUS_OK.rawValue
        else { throw Failure(description: "cannot connect to 127.0.0.1:\(port)") }
        var properties = amqp_table_t(num_entries: 0, entries: nil)
        guard outrigger_amqp_login_plain(connection, "/", 131_072, 0, &properties, "guest", "guest").reply_type == AMQP_RESPONSE_NORMAL else {
            throw Failure(description: "login refused")
        }
        amqp_channel_open(connection, 1)
        amqp_confirm_select(connection, 1)
        guard amqp_get_rpc_reply(connection).reply_type == AMQP_RESPONSE_NORMAL else { throw Failure(description: "confirm.select failed") }
        return dup(amqp_get_sockfd(connection))
    }

    /// One loop's AMQP connection: publishes written as frames, flushed once per loop tick,
    /// answered from the confirms in tag order.
    final class Publisher: ChannelDuplexHandler, @unchecked Sendable {
        typealias InboundIn = ByteBuffer
        typealias OutboundIn = ByteBuffer
        typealias OutboundOut = ByteBuffer

        private let exchange: [UInt8]
        private var context: ChannelHandlerContext?
        private var nextTag: UInt64 = 1
        /// Waiting publishes, oldest first, with their tags.
        private var waiting = CircularBuffer<(tag: UInt64, done: (Bool) -> Void)>()
        private var received = ByteBuffer()
        private var flushPending = false

        init(exchange: String) { self.exchange = Array(exchange.utf8) }

        func handlerAdded(context: ChannelHandlerContext) { self.context = context }

        func publish(_ body: ByteBuffer, done: @escaping (Bool) -> Void) {
            guard let context else { return done(false) }
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

        private func frame(_ buffer: inout ByteBuffer, type: UInt8, _ payload: (inout ByteBuffer) -> Void) {
            buffer.writeInteger(type); buffer.writeInteger(UInt16(1))
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
                    break
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
