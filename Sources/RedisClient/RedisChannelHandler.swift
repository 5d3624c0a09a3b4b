import NIOCore

/// A command on its way to the server and the promise its reply completes.
struct RedisRequest: Sendable {
    var command: RedisCommand
    var promise: EventLoopPromise<RedisValue>
    /// How long the reply may take once the command is written; `nil`: no limit.
    var timeout: Duration?
}

/// Pipelining on one channel: every command is written as it comes (commands that arrive
/// together leave in one flush), and replies complete the waiting promises first-in first-out
/// (Redis answers in order on a connection), so any number of callers share the connection
/// and each gets its own reply.
///
/// Once the connection fails — closed by the server, a socket error, a reply that is not RESP,
/// or no reply within the head command's timeout — every outstanding and later command fails
/// with that error and the channel is closed. Runs on the channel's event loop only.
final class RedisChannelHandler: ChannelDuplexHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundIn = RedisRequest
    typealias OutboundOut = ByteBuffer

    private struct Waiting {
        var promise: EventLoopPromise<RedisValue>
        var deadline: NIODeadline?
        var timeout: Duration?
    }

    private var waiting = CircularBuffer<Waiting>(initialCapacity: 16)
    private let reader = HiredisReader()
    private var timer: Scheduled<Void>?
    private var failure: RedisError?
    private var flushScheduled = false

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        let request = unwrapOutboundIn(data)
        if let failure {
            request.promise.fail(failure)
            promise?.fail(failure)
            return
        }
        var buffer = context.channel.allocator.buffer(capacity: 64)
        HiredisCommandFormatter.write(request.command, into: &buffer)
        let deadline = request.timeout.map { NIODeadline.now() + TimeAmount(redis: $0) }
        waiting.append(Waiting(promise: request.promise, deadline: deadline, timeout: request.timeout))
        armTimer(context)
        context.write(wrapOutboundOut(buffer), promise: promise)
    }

    /// Flushes once the commands already queued on the event loop have been written, so that
    /// concurrent callers share one `writev` instead of a system call each.
    func flush(context: ChannelHandlerContext) {
        guard !flushScheduled else { return }
        flushScheduled = true
        let bound = NIOLoopBound((self, context), eventLoop: context.eventLoop)
        context.eventLoop.execute {
            let (handler, context) = bound.value
            handler.flushScheduled = false
            context.flush()
        }
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let buffer = unwrapInboundIn(data)
        do throws(RedisError) {
            try reader.feed(buffer)
            while let value = try reader.next() {
                guard let head = waiting.popFirst() else { throw .protocolError("a reply arrived that no command asked for") }
                if case .error(let message) = value {
                    head.promise.fail(RedisError.server(RedisServerError(message: message)))
                } else {
                    head.promise.succeed(value)
                }
            }
        } catch {
            fail(context, error)
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        fail(context, .connectionLost("the server closed the connection"))
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        fail(context, .connectionLost("\(error)"))
    }

    /// Fails everything outstanding and later with `error`, and closes the channel.
    private func fail(_ context: ChannelHandlerContext, _ error: RedisError) {
        if failure == nil { failure = error }
        timer?.cancel()
        timer = nil
        while let head = waiting.popFirst() { head.promise.fail(failure ?? error) }
        context.close(promise: nil)
    }

    /// Keeps one timer for the oldest outstanding command; when it fires, a head past its
    /// deadline fails the connection, else the timer is set for the new head.
    private func armTimer(_ context: ChannelHandlerContext) {
        guard timer == nil, let deadline = waiting.first?.deadline else { return }
        let bound = NIOLoopBound((self, context), eventLoop: context.eventLoop)
        timer = context.eventLoop.scheduleTask(deadline: deadline) {
            let (handler, context) = bound.value
            handler.timer = nil
            guard let head = handler.waiting.first, let deadline = head.deadline else { return }
            if deadline <= .now() {
                handler.fail(context, .timeout(head.timeout ?? .zero))
            } else {
                handler.armTimer(context)
            }
        }
    }
}

extension TimeAmount {
    /// The same span as a `Duration`, to the nanosecond.
    init(redis duration: Duration) {
        let (seconds, attoseconds) = duration.components
        self = .nanoseconds(seconds * 1_000_000_000 + attoseconds / 1_000_000_000)
    }
}
