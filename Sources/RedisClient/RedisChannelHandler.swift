import NIOCore

/// A command on its way to the server and the promise its reply completes.
struct RedisRequest: Sendable {
    var command: RedisCommand
    var promise: EventLoopPromise<RedisValue>
    /// How long the reply may take once the command is written; `nil`: no limit.
    var timeout: Duration?
}

/// Where a reply goes: a promise (commands written through the pipeline, from any thread), or
/// the continuation of a task running on the channel's event loop (``RedisChannelHandler/submit(_:timeout:reply:)``).
enum RedisReply {
    case promise(EventLoopPromise<RedisValue>)
    case continuation(UnsafeContinuation<RedisValue, any Error>)

    func succeed(_ value: RedisValue) {
        switch self {
        case .promise(let promise): promise.succeed(value)
        case .continuation(let continuation): continuation.resume(returning: value)
        }
    }

    func fail(_ error: RedisError) {
        switch self {
        case .promise(let promise): promise.fail(error)
        case .continuation(let continuation): continuation.resume(throwing: error)
        }
    }
}

/// Pipelining on one channel: commands are encoded as they come into one buffer that leaves in
/// a single write once the tasks already queued on the event loop have run (concurrent callers
/// share one system call), and replies complete the waiting callers first-in first-out (Redis
/// answers in order on a connection), so any number of callers share the connection and each
/// gets its own reply.
///
/// Once the connection fails — closed by the server, a socket error, a reply that is not RESP,
/// or no reply within the head command's timeout — every outstanding and later command fails
/// with that error and the channel is closed. Runs on the channel's event loop only.
final class RedisChannelHandler: ChannelDuplexHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundIn = RedisRequest
    typealias OutboundOut = ByteBuffer

    private struct Waiting {
        var reply: RedisReply
        var deadline: NIODeadline?
        var timeout: Duration?
    }

    private var waiting = CircularBuffer<Waiting>(initialCapacity: 16)
    private let reader = HiredisReader()
    private var timer: Scheduled<Void>?
    private var timerDeadline: NIODeadline?
    private var failure: RedisError?
    private var context: ChannelHandlerContext?
    /// Encoded commands not yet handed to the channel.
    private var unwritten: ByteBuffer?
    private var flushScheduled = false

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        self.context = nil
    }

    /// Queues `command` without going through the pipeline: the caller is on the event loop.
    func submit(_ command: RedisCommand, timeout: Duration?, reply: RedisReply) {
        guard failure == nil, let context else {
            reply.fail(failure ?? .connectionLost("the connection is closed"))
            return
        }
        queue(command, timeout: timeout, reply: reply, context: context)
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        let request = unwrapOutboundIn(data)
        if let failure {
            request.promise.fail(failure)
            promise?.fail(failure)
            return
        }
        queue(request.command, timeout: request.timeout, reply: .promise(request.promise), context: context)
        // Accepted: a failure to write it now reaches the reply (the channel closes, see above).
        promise?.succeed(())
    }

    private func queue(_ command: RedisCommand, timeout: Duration?, reply: RedisReply, context: ChannelHandlerContext) {
        var buffer = unwritten.take() ?? context.channel.allocator.buffer(capacity: 2048)
        HiredisCommandFormatter.write(command, into: &buffer)
        unwritten = buffer
        let deadline = timeout.map { NIODeadline.now() + TimeAmount($0) }
        waiting.append(Waiting(reply: reply, deadline: deadline, timeout: timeout))
        armTimer(context)
        scheduleFlush(context)
    }

    func flush(context: ChannelHandlerContext) {
        scheduleFlush(context)
    }

    /// Writes what was queued once the commands already queued on the event loop have been
    /// encoded, so that concurrent callers share one `write` instead of a system call each.
    private func scheduleFlush(_ context: ChannelHandlerContext) {
        guard !flushScheduled else { return }
        flushScheduled = true
        let bound = NIOLoopBound((self, context), eventLoop: context.eventLoop)
        context.eventLoop.execute {
            let (handler, context) = bound.value
            handler.flushScheduled = false
            guard let buffer = handler.unwritten.take(), handler.failure == nil else { return }
            context.writeAndFlush(handler.wrapOutboundOut(buffer), promise: nil)
        }
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let buffer = unwrapInboundIn(data)
        do throws(RedisError) {
            try reader.feed(buffer)
            while let value = try reader.next() {
                guard let head = waiting.popFirst() else { throw .protocolError("a reply arrived that no command asked for") }
                if case .error(let message) = value {
                    head.reply.fail(RedisError.server(RedisServerError(message: message)))
                } else {
                    head.reply.succeed(value)
                }
            }
            armTimer(context)
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
        timerDeadline = nil
        unwritten = nil
        while let head = waiting.popFirst() { head.reply.fail(failure ?? error) }
        context.close(promise: nil)
    }

    /// Keeps one timer for the oldest outstanding command; when it fires, a head past its
    /// deadline fails the connection, else the timer is set for the new head. A timer due after
    /// the head's deadline is moved earlier: with timeouts of different lengths on one
    /// connection (a blocking read's is its block longer) the head that follows a long one may
    /// be due first, and was timed out only once the long one's timer fired.
    private func armTimer(_ context: ChannelHandlerContext) {
        guard let deadline = waiting.first?.deadline else { return }
        if timer != nil, let timerDeadline, timerDeadline <= deadline { return }
        timer?.cancel()
        timerDeadline = deadline
        let bound = NIOLoopBound((self, context), eventLoop: context.eventLoop)
        timer = context.eventLoop.scheduleTask(deadline: deadline) {
            let (handler, context) = bound.value
            handler.timer = nil
            handler.timerDeadline = nil
            guard let head = handler.waiting.first, let deadline = head.deadline else { return }
            if deadline <= .now() {
                handler.fail(context, .timeout(head.timeout ?? .zero))
            } else {
                handler.armTimer(context)
            }
        }
    }
}
