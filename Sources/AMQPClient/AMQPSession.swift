import CRabbitMQ
import Foundation

/// The rabbitmq-c connection of one ``AMQPConnection`` and everything that must be touched
/// together with it: open channels, publishes waiting for their confirm, consumers.
///
/// `@unchecked Sendable` because the compiler cannot see the discipline that makes it safe:
/// after ``run(on:)`` starts, every property and method is used only on the connection's
/// ``AMQPIOThread`` (by its loop and by the jobs submitted to it); other threads only hold the
/// reference to hand it to that thread.
final class AMQPSession: @unchecked Sendable {
    final class ChannelState {
        let handle: AMQPChannel
        var closed: AMQPError?
        var confirming = false
        var confirms = ConfirmTracker<CheckedContinuation<Void, any Error>>()
        var consumers: [String: AMQPConsumer] = [:]

        init(handle: AMQPChannel) { self.handle = handle }
    }

    let configuration: AMQPConfiguration
    var connection: amqp_connection_state_t?
    /// Set once the connection is unusable; every later operation fails with it.
    var failure: AMQPError?
    var channels: [UInt16: ChannelState] = [:]
    var lastChannel: UInt16 = 0
    var channelMax: UInt16 = 2047
    /// The socket is corked (``cork()``).
    var corked = false
    /// Told once, on this thread, when the connection breaks.
    let onLoss: @Sendable (AMQPError) -> Void

    init(configuration: AMQPConfiguration, onLoss: @escaping @Sendable (AMQPError) -> Void) {
        self.configuration = configuration
        self.onLoss = onLoss
    }

    deinit {
        if let connection { amqp_destroy_connection(connection) }
    }

    // MARK: - The loop

    /// Runs jobs and reads frames until the thread is stopped; then closes the connection.
    func run(on thread: AMQPIOThread) {
        while true {
            let (jobs, stopped) = thread.takeJobs()
            if jobs.count > 1 { cork() }
            for job in jobs { job(self) }
            uncork()
            if stopped && jobs.isEmpty { break }
            guard failure == nil, let connection else {
                if jobs.isEmpty { thread.waitForWork(socket: -1, timeoutMilliseconds: 1000) }
                continue
            }
            readAvailableFrames()
            if jobs.isEmpty && failure == nil {
                thread.waitForWork(socket: amqp_get_sockfd(connection), timeoutMilliseconds: pollTimeout)
            }
        }
        shutDown()
    }

    /// Holds the socket's small writes back while a batch of jobs runs (`TCP_CORK`), so the
    /// publishes of one batch leave in as few segments as they fill instead of one each, and
    /// the broker reads them in fewer passes (docs/components/pubsub.rabbitmq.md: 1.5–20 % more
    /// publishes/s through the sidecar).
    func cork() {
        guard !corked, failure == nil, let connection else { return }
        corked = setCork(amqp_get_sockfd(connection), true)
    }

    /// Sends what a ``cork()`` held back. Every job that waits for the broker's answer calls
    /// this before it writes its request (else the request would wait out the kernel's 200 ms
    /// cork limit); the loop calls it after each batch.
    func uncork() {
        guard corked else { return }
        corked = false
        if let connection { _ = setCork(amqp_get_sockfd(connection), false) }
    }

    /// Whether the kernel holds the socket's writes back now (`TCP_CORK` as it reads back).
    var socketIsCorked: Bool {
        guard let connection else { return false }
        var value: Int32 = 0
        var length = socklen_t(MemoryLayout<Int32>.size)
        return getsockopt(amqp_get_sockfd(connection), Int32(IPPROTO_TCP), TCP_CORK, &value, &length) == 0 && value != 0
    }

    private func setCork(_ socket: Int32, _ on: Bool) -> Bool {
        var value: Int32 = on ? 1 : 0
        return setsockopt(socket, Int32(IPPROTO_TCP), TCP_CORK, &value, socklen_t(MemoryLayout<Int32>.size)) == 0
    }

    /// Short enough to send and check heartbeats in time.
    private var pollTimeout: Int32 {
        let heartbeat = configuration.heartbeat.components.seconds
        guard heartbeat > 0 else { return 1000 }
        return Int32(min(1000, heartbeat * 1000 / 4))
    }

    /// Every frame already received, without waiting for more.
    func readAvailableFrames() {
        guard let connection else { return }
        var frame = amqp_frame_t()
        var immediately = timeval(tv_sec: 0, tv_usec: 0)
        while failure == nil {
            let status = amqp_simple_wait_frame_noblock(connection, &frame, &immediately)
            if status == AMQP_STATUS_TIMEOUT.rawValue { break }
            guard status == AMQP_STATUS_OK.rawValue else {
                lose(.connection(Self.describe(status)))
                return
            }
            handle(frame)
        }
        amqp_maybe_release_buffers(connection)
    }

    private func handle(_ frame: amqp_frame_t) {
        guard frame.frame_type == UInt8(AMQP_FRAME_METHOD), let decoded = frame.payload.method.decoded else { return }
        let channel = frame.channel
        switch frame.payload.method.id {
        case OUTRIGGER_AMQP_BASIC_DELIVER:
            let method = decoded.assumingMemoryBound(to: amqp_basic_deliver_t.self).pointee
            let tag = method.consumer_tag.string
            let deliveryTag = method.delivery_tag
            let redelivered = method.redelivered != 0
            let exchange = method.exchange.string
            let routingKey = method.routing_key.string
            guard let (properties, body) = readContent(channel: channel) else { return }
            guard let state = channels[channel], let consumer = state.consumers[tag] else { return }
            consumer.push(AMQPDelivery(
                deliveryTag: deliveryTag, redelivered: redelivered, exchange: exchange, routingKey: routingKey, body: body,
                properties: properties, channel: state.handle))
        case OUTRIGGER_AMQP_BASIC_RETURN:
            let method = decoded.assumingMemoryBound(to: amqp_basic_return_t.self).pointee
            let error = AMQPError.unroutable(code: Int(method.reply_code), text: method.reply_text.string)
            let exchange = method.exchange.string
            let routingKey = method.routing_key.string
            guard let (_, body) = readContent(channel: channel) else { return }
            channels[channel]?.confirms.returned(exchange: exchange, routingKey: routingKey, body: body, error: error)
        case OUTRIGGER_AMQP_BASIC_ACK:
            let method = decoded.assumingMemoryBound(to: amqp_basic_ack_t.self).pointee
            channels[channel]?.confirm(upTo: method.delivery_tag, multiple: method.multiple != 0, refused: false)
        case OUTRIGGER_AMQP_BASIC_NACK:
            let method = decoded.assumingMemoryBound(to: amqp_basic_nack_t.self).pointee
            channels[channel]?.confirm(upTo: method.delivery_tag, multiple: method.multiple != 0, refused: true)
        case OUTRIGGER_AMQP_BASIC_CANCEL:
            let method = decoded.assumingMemoryBound(to: amqp_basic_cancel_t.self).pointee
            let tag = method.consumer_tag.string
            channels[channel]?.consumers.removeValue(forKey: tag)?.finish(.consumerCancelled("cancelled by the broker (queue deleted?)"))
        case OUTRIGGER_AMQP_CHANNEL_CLOSE:
            let method = decoded.assumingMemoryBound(to: amqp_channel_close_t.self).pointee
            acknowledgeChannelClose(channel, .channelClosed(code: Int(method.reply_code), text: method.reply_text.string))
        case OUTRIGGER_AMQP_CONNECTION_CLOSE:
            let method = decoded.assumingMemoryBound(to: amqp_connection_close_t.self).pointee
            acknowledgeConnectionClose(.connectionClosed(code: Int(method.reply_code), text: method.reply_text.string))
        default:
            break
        }
    }

    /// The content header and body frames that follow a `basic.deliver` or `basic.return`.
    private func readContent(channel: amqp_channel_t) -> (AMQPMessageProperties, [UInt8])? {
        guard let connection else { return nil }
        var message = amqp_message_t()
        let reply = amqp_read_message(connection, channel, &message, 0)
        guard reply.reply_type == AMQP_RESPONSE_NORMAL else {
            _ = check(reply, channel: channel)
            return nil
        }
        defer { amqp_destroy_message(&message) }
        return (AMQPMessageProperties(message.properties), message.body.array)
    }

    // MARK: - Failures

    /// The connection broke: fail everything waiting on it and tell the owner.
    func lose(_ error: AMQPError) {
        guard failure == nil else { return }
        failure = error
        for state in channels.values { state.close(error) }
        channels.removeAll()
        onLoss(error)
    }

    /// The broker closed `channel`: answer `close-ok` and fail what waited on it.
    func acknowledgeChannelClose(_ channel: amqp_channel_t, _ error: AMQPError) {
        guard let connection else { return }
        var ok = amqp_channel_close_ok_t()
        _ = amqp_send_method(connection, channel, OUTRIGGER_AMQP_CHANNEL_CLOSE_OK, &ok)
        channels.removeValue(forKey: channel)?.close(error)
    }

    func acknowledgeConnectionClose(_ error: AMQPError) {
        if let connection {
            var ok = amqp_connection_close_ok_t()
            _ = amqp_send_method(connection, 0, OUTRIGGER_AMQP_CONNECTION_CLOSE_OK, &ok)
        }
        lose(error)
    }

    /// Translates the reply of a synchronous rabbitmq-c call; a server exception closes the
    /// channel (or connection) it names, as the protocol requires.
    func check(_ reply: amqp_rpc_reply_t, channel: amqp_channel_t) -> AMQPError? {
        switch reply.reply_type {
        case AMQP_RESPONSE_NORMAL:
            return nil
        case AMQP_RESPONSE_SERVER_EXCEPTION:
            guard let decoded = reply.reply.decoded else { return .connection("server exception without details") }
            if reply.reply.id == OUTRIGGER_AMQP_CHANNEL_CLOSE {
                let method = decoded.assumingMemoryBound(to: amqp_channel_close_t.self).pointee
                let error = AMQPError.channelClosed(code: Int(method.reply_code), text: method.reply_text.string)
                acknowledgeChannelClose(channel, error)
                return error
            }
            if reply.reply.id == OUTRIGGER_AMQP_CONNECTION_CLOSE {
                let method = decoded.assumingMemoryBound(to: amqp_connection_close_t.self).pointee
                let code = Int(method.reply_code)
                let text = method.reply_text.string
                let error: AMQPError = code == 403 ? .accessRefused(text) : .connectionClosed(code: code, text: text)
                acknowledgeConnectionClose(error)
                return error
            }
            let error = AMQPError.connection("unexpected server method \(reply.reply.id)")
            lose(error)
            return error
        default:
            let error = AMQPError.connection(Self.describe(reply.library_error))
            lose(error)
            return error
        }
    }

    static func describe(_ status: Int32) -> String {
        String(cString: amqp_error_string2(status))
    }

    private func shutDown() {
        if failure == nil, let connection {
            _ = amqp_connection_close(connection, Int32(AMQP_REPLY_SUCCESS))
        }
        let error = failure ?? .closed
        failure = error
        for state in channels.values { state.close(.closed) }
        channels.removeAll()
        if let connection {
            amqp_destroy_connection(connection)
            self.connection = nil
        }
    }
}

extension AMQPSession.ChannelState {
    /// Fails every waiting publish and ends every consumer.
    func close(_ error: AMQPError) {
        guard closed == nil else { return }
        closed = error
        for continuation in confirms.failAll() { continuation.resume(throwing: error) }
        for consumer in consumers.values { consumer.finish(error) }
        consumers.removeAll()
    }

    /// A `basic.ack` (or `basic.nack` when `refused`) for `tag`, or every tag up to it.
    func confirm(upTo tag: UInt64, multiple: Bool, refused: Bool) {
        for (continuation, result) in confirms.confirmed(tag, multiple: multiple, refused: refused) {
            continuation.resume(with: result.mapError { $0 as any Error })
        }
    }
}
