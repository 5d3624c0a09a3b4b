import NIOCore
import NIOHTTP1

/// A complete answer of the app, and whether its connection may carry another request.
struct AppHTTPResponse: Sendable {
    var status: Int
    var body: [UInt8]
    var isReusable: Bool
}

/// Runs one exchange at a time on an ``AppConnection``: writes the request, collects the
/// `HTTPClientResponsePart`s into an ``AppHTTPResponse``, and owns the exchange's deadline and
/// cancellation.
///
/// It sits at the tail of the pipeline, after NIOHTTP1's request encoder and response decoder, and
/// every method runs on the channel's event loop. Whatever ends an exchange other than a complete,
/// keep-alive response — timeout, cancellation, a decoding error, an oversized body, the app
/// closing — also closes the connection, since its bytes can no longer be trusted to line up.
final class HTTPResponseCollector: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPClientResponsePart
    typealias OutboundOut = HTTPClientRequestPart

    private struct Exchange {
        var promise: EventLoopPromise<AppHTTPResponse>
        var maxBodyBytes: Int
        var closesConnection: Bool
        var deadline: NIOScheduledCallback?
        var head: HTTPResponseHead?
        var body: ByteBuffer?
    }

    private enum State {
        case idle
        case exchanging(Exchange)
        case closed
    }

    private var state = State.idle
    private var context: ChannelHandlerContext?

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        fail(AppHTTPClientError.connectionClosed, close: false)
        state = .closed
        self.context = nil
    }

    /// Sends `request`; `promise` completes with the answer or the reason there is none. The
    /// deadline's timer runs on this event loop, so it can never fire halfway through an answer.
    func start(
        _ request: AppHTTPRequest, maxBodyBytes: Int, deadline: NIODeadline,
        timeoutHandler: some NIOScheduledCallbackHandler & Sendable, promise: EventLoopPromise<AppHTTPResponse>
    ) {
        guard case .idle = state, let context else {
            // Closed by the app or a former exchange; a busy connection is never leased twice.
            promise.fail(AppHTTPClientError.connectionClosed)
            return
        }
        var exchange = Exchange(promise: promise, maxBodyBytes: maxBodyBytes, closesConnection: request.closesConnection)
        do {
            exchange.deadline = try context.eventLoop.scheduleCallback(at: deadline, handler: timeoutHandler)
        } catch {
            // Only an event loop that is shutting down refuses a timer.
            promise.fail(error)
            return
        }
        state = .exchanging(exchange)
        context.write(wrapOutboundOut(.head(request.head)), promise: nil)
        if request.body.readableBytes > 0 {
            context.write(wrapOutboundOut(.body(.byteBuffer(request.body))), promise: nil)
        }
        context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
    }

    /// The exchange that `promise` belongs to ran past its deadline.
    func deadlinePassed(_ promise: EventLoopPromise<AppHTTPResponse>) {
        guard case .exchanging(let exchange) = state, exchange.promise == promise else { return }
        fail(AppHTTPClientError.timeout, close: true)
    }

    /// The task awaiting `promise` was cancelled. The promise matters: cancellation arrives by a hop
    /// to the event loop, by which time the connection may carry someone else's request.
    func cancel(_ promise: EventLoopPromise<AppHTTPResponse>) {
        guard case .exchanging(let exchange) = state, exchange.promise == promise else { return }
        fail(CancellationError(), close: true)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard case .exchanging(var exchange) = state else {
            // An answer nobody asked for: the connection is out of step.
            state = .closed
            context.close(promise: nil)
            return
        }
        switch unwrapInboundIn(data) {
        case .head(let head):
            exchange.head = head
            state = .exchanging(exchange)
        case .body(let part):
            let received = (exchange.body?.readableBytes ?? 0) + part.readableBytes
            guard received <= exchange.maxBodyBytes else {
                fail(AppHTTPClientError.responseTooLarge(limit: exchange.maxBodyBytes), close: true)
                return
            }
            // Avoids a copy for the usual single-part body.
            if exchange.body == nil {
                exchange.body = part
            } else {
                state = .idle  // drops the state's reference so the append does not copy the buffer
                var part = part
                exchange.body!.writeBuffer(&part)
            }
            state = .exchanging(exchange)
        case .end:
            exchange.deadline?.cancel()
            guard let head = exchange.head else {
                fail(AppHTTPClientError.invalidResponse("the response ended before its head"), close: true)
                return
            }
            // An answer delimited by the connection closing ends with the channel already inactive.
            let reusable = head.isKeepAlive && !exchange.closesConnection && context.channel.isActive
            let body = exchange.body.map { Array(buffer: $0) } ?? []
            if reusable {
                state = .idle
            } else {
                // `Connection: close` from the app (or from the caller): honour it now.
                state = .closed
                context.close(promise: nil)
            }
            exchange.promise.succeed(AppHTTPResponse(status: Int(head.status.code), body: body, isReusable: reusable))
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        fail(AppHTTPClientError.connectionClosed, close: false)
        state = .closed
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        let reason: any Error = error is HTTPParserError || error is NIOHTTPDecoderError
            ? AppHTTPClientError.invalidResponse(String(describing: error)) : error
        if !fail(reason, close: true) {
            state = .closed
            context.close(promise: nil)
        }
    }

    /// Ends the exchange in flight with `error`; `true` if there was one.
    @discardableResult
    private func fail(_ error: any Error, close: Bool) -> Bool {
        guard case .exchanging(let exchange) = state else { return false }
        exchange.deadline?.cancel()
        state = .closed
        if close { context?.close(promise: nil) }
        exchange.promise.fail(error)
        return true
    }
}

@available(*, unavailable)
extension HTTPResponseCollector: Sendable {}
