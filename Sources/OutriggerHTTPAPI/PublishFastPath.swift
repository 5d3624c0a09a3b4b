import EventLoopExecutor
import NIOCore
import NIOHTTP1

/// `POST /v1.0/publish/{pubsub}/{topic}` and `POST /v1.0-alpha1/publish/bulk/{pubsub}/{topic}`
/// answered from the channel pipeline, before Hummingbird.
///
/// The router's per-request work (an async request stream, a response writer, its own task per
/// connection) costs more than the publish itself: measured with `make bench`, Hummingbird
/// answers a bare 204 at about half the rate a SwiftNIO handler does. This handler sits right
/// after NIO's HTTP/1.1 codec, before the conversion to Swift HTTP Types; it takes the plain
/// single and bulk publishes (a bulk publish is a few hundred messages per request, and the
/// router's share of it was most of its cost beyond the parse) and passes every other request
/// on, so the router still serves everything, including the publishes it leaves alone:
///
/// - anything but POST, and any path or query with percent-escapes, `+`, `\`,
///   `//`, anything but printable ASCII, or an empty segment (the router's decoding and checks
///   apply to those, unchanged);
/// - every request while `DAPR_API_TOKEN` is set (the router's middleware checks it);
/// - a request that arrives while one the router took is still being answered, so responses
///   keep the order of pipelined requests. Requests that arrive while a publish here is in
///   flight wait in order behind it (and the socket is not read again until it is answered).
///
/// A request without keep-alive (`Connection: close`, or HTTP/1.0 without `keep-alive`) gets
/// its answer, then the connection closes.
///
/// The connection's idle timeout is kept here, not by the router's connection handler further
/// down the pipeline, which never sees the publishes answered here: it closed a connection
/// that published steadily once the timeout had passed since it opened. A connection is idle
/// when no request is being read or answered, by either; it closes once idle for the timeout
/// since its last request or answer. The shutdown's quiesce event is taken here too while a
/// publish is being read or published: that publish is answered with `Connection: close`,
/// then the connection closes (the router's handler would have closed it at once, the
/// publish done and its answer lost).
///
/// The publish itself is the router's: ``HTTPAPIServer/publish(_:contentType:)`` and
/// ``HTTPAPIServer/bulkPublish(_:)``, the same errors and status codes. A body over
/// `--max-body-size` gets 413 and the connection closes, lingering: the answer is followed by a
/// FIN and the rest of the body is read and dropped until the client has sent it or closes, for
/// at most ``lingerLimit``. Closed at once, the socket
/// would answer the client's next bytes with a reset, and a client that writes its whole body
/// before it reads (Python's `requests`, `curl` without `Expect`) would see "connection reset"
/// instead of the 413, as it would from a router answer (Hummingbird drains what is left).
final class PublishFastPath: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias InboundOut = HTTPServerRequestPart
    typealias OutboundIn = HTTPServerResponsePart
    typealias OutboundOut = HTTPServerResponsePart

    private enum State {
        case idle
        /// A request the router answers: its parts pass on.
        case forwarding
        /// A publish being read here.
        case reading(HTTPAPIServer.PublishInput, contentType: String?, body: ByteBuffer?)
        /// A publish being published; later parts wait in `waiting`.
        case publishing
        /// A refused body: its remaining parts are dropped and the connection closes.
        case refused
        /// A body over the limit, answered 413 and half-closed: what is left of it is read and
        /// dropped; its end (or the client's close, or ``lingerLimit``) closes the connection.
        case lingering
    }

    private let server: HTTPAPIServer
    private var state = State.idle
    /// Requests passed to the router whose response has not ended yet.
    private var routerRequests = 0
    private var waiting: [HTTPServerRequestPart] = []
    /// A read the channel asked for and held back (see ``mustHoldReads(_:)``).
    private var heldRead = false
    /// The publish being read or published did not ask for keep-alive.
    private var closeAfterResponse = false
    /// Runs each publish's task on this connection's event loop (made at the first publish).
    private var taskExecutor: EventLoopTaskExecutor?
    /// The HTTP response encoder's context: a plain `204` is written from it, as the bytes
    /// the encoder would make, so it does not pass through the encoder (see ``respond``).
    private var encoderContext: ChannelHandlerContext?

    /// `HTTP/1.1 204 No Content` with no header: what NIO's encoder writes for the head of a
    /// keep-alive publish answer and its end, shared by every connection.
    private static let noContent = ByteBuffer(string: "HTTP/1.1 204 No Content\r\n\r\n")

    /// The idle timeout, when this handler keeps it (see above).
    private let idleTimeout: TimeAmount?
    private var idleTimer: Scheduled<Void>?
    /// When the connection opened or last wrote an answer. A request read since keeps the
    /// connection busy until it is answered, so reads need no stamp of their own.
    private var lastActivity = NIODeadline.now()
    /// The shutdown asked this connection to close once the publish in progress is answered.
    private var quiescing = false
    /// The answers the router still owes before a `100 Continue` can go out.
    private var continueAfter = 0
    private static let continueBytes = ByteBuffer(string: "HTTP/1.1 100 Continue\r\n\r\n")
    /// How long a refused body is read and dropped at most (nginx's `lingering_timeout`).
    static let lingerLimit = TimeAmount.seconds(5)
    private var lingerTimer: Scheduled<Void>?

    init(server: HTTPAPIServer, idleTimeout: TimeAmount? = nil) {
        self.server = server
        self.idleTimeout = idleTimeout
    }

    func handlerAdded(context: ChannelHandlerContext) {
        encoderContext = try? context.pipeline.syncOperations.context(handlerType: HTTPResponseEncoder.self)
        if context.channel.isActive { armIdleTimer(context) }
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        encoderContext = nil
        idleTimer?.cancel()
        idleTimer = nil
        lingerTimer?.cancel()
        lingerTimer = nil
    }

    func channelActive(context: ChannelHandlerContext) {
        armIdleTimer(context)
        context.fireChannelActive()
    }

    func channelInactive(context: ChannelHandlerContext) {
        idleTimer?.cancel()
        idleTimer = nil
        lingerTimer?.cancel()
        lingerTimer = nil
        context.fireChannelInactive()
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        guard event is ChannelShouldQuiesceEvent else {
            context.fireUserInboundEventTriggered(event)
            return
        }
        quiescing = true
        switch state {
        case .reading, .publishing:
            // Answered with `Connection: close`, then closed (``published(_:context:)``).
            break
        default:
            // Nothing here in progress: the router's handler closes the connection now, or once
            // its own requests are answered (a request pipelined behind them is left to the
            // router too, which answers it before closing).
            context.fireUserInboundEventTriggered(event)
        }
    }

    /// One timer per connection, moved on only when it fires: an answer costs a clock read.
    private func armIdleTimer(_ context: ChannelHandlerContext) {
        guard let idleTimeout, idleTimer == nil else { return }
        lastActivity = .now()
        scheduleIdleTimer(at: lastActivity + idleTimeout, context)
    }

    private func scheduleIdleTimer(at deadline: NIODeadline, _ context: ChannelHandlerContext) {
        let bound = NIOLoopBound((self, context), eventLoop: context.eventLoop)
        idleTimer = context.eventLoop.assumeIsolated().scheduleTask(deadline: deadline) {
            let (handler, context) = bound.value
            handler.idleTimerFired(context)
        }
    }

    private func idleTimerFired(_ context: ChannelHandlerContext) {
        idleTimer = nil
        guard let idleTimeout else { return }
        let busy: Bool
        switch state {
        case .idle, .refused, .lingering: busy = routerRequests > 0
        case .forwarding, .reading, .publishing: busy = true  // a request being read is the body deadline's
        }
        let now = NIODeadline.now()
        if busy {
            scheduleIdleTimer(at: now + idleTimeout, context)
        } else if now >= lastActivity + idleTimeout {
            context.close(promise: nil)
        } else {
            scheduleIdleTimer(at: lastActivity + idleTimeout, context)
        }
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let part = unwrapInboundIn(data)
        if case .publishing = state {
            waiting.append(part)
            return
        }
        handle(part, context: context)
    }

    private func handle(_ part: HTTPServerRequestPart, context: ChannelHandlerContext) {
        switch (state, part) {
        case (.idle, .head(let request)):
            if Self.expectsContinue(request) {
                // Every answer before this request's has ended, or ends first (``write``).
                if routerRequests == 0 { writeContinue(context) } else { continueAfter = routerRequests }
            }
            if routerRequests == 0, !quiescing, let input = Self.publishInput(request, apiToken: server.apiToken) {
                state = .reading(input, contentType: request.headers.first(name: "content-type"), body: nil)
                closeAfterResponse = !request.isKeepAlive
            } else {
                state = .forwarding
                routerRequests += 1
                context.fireChannelRead(wrapInboundOut(part))
            }
        case (.reading(let input, let contentType, var body), .body(var chunk)):
            guard (body?.readableBytes ?? 0) + chunk.readableBytes <= server.maxBodySize else {
                state = .lingering
                let error = APIError(status: 413, code: "ERR_MALFORMED_REQUEST", message: "request body is larger than \(server.maxBodySize) bytes (--max-body-size)")
                respond(HTTPAPIServer.JSONAnswer(error), context: context, close: true, linger: true)
                return
            }
            state = .idle  // drop the reference to `body` so the append does not copy it
            if body == nil {
                body = chunk  // the usual single chunk: kept as it came, not copied
            } else {
                body!.writeBuffer(&chunk)
            }
            state = .reading(input, contentType: contentType, body: body)
        case (.reading(var input, let contentType, let body), .end):
            state = .publishing
            input.body = body.map { Array(buffer: $0) } ?? []
            let handler = NIOLoopBound(self, eventLoop: context.eventLoop)
            let boundContext = NIOLoopBound(context, eventLoop: context.eventLoop)
            let server = server
            let eventLoop = context.eventLoop
            let executor = taskExecutor ?? EventLoopTaskExecutor(eventLoop)
            taskExecutor = executor
            Task(executorPreference: executor) {
                let answer = input.bulk
                    ? await server.bulkPublish(input)
                    : await server.publish(input, contentType: contentType).map(HTTPAPIServer.JSONAnswer.init)
                // The task runs on the connection's loop, so this is the loop's thread already.
                if eventLoop.inEventLoop {
                    handler.value.published(answer, context: boundContext.value)
                } else {
                    eventLoop.execute { handler.value.published(answer, context: boundContext.value) }
                }
            }
        case (.forwarding, .end):
            state = .idle
            context.fireChannelRead(wrapInboundOut(part))
        case (.forwarding, _):
            context.fireChannelRead(wrapInboundOut(part))
        case (.refused, _), (.lingering, .body):
            break
        case (.lingering, _):
            // The refused body has ended: nothing of it is left to drop.
            context.close(promise: nil)
        default:
            // A part out of order (the codec does not produce one): let the router judge it.
            context.fireChannelRead(wrapInboundOut(part))
        }
    }

    private func published(_ answer: HTTPAPIServer.JSONAnswer?, context: ChannelHandlerContext) {
        if idleTimeout != nil { lastActivity = .now() }
        if closeAfterResponse || quiescing {
            // As the router does: the answer, then the connection closes; nothing after it is read.
            state = .refused
            waiting = []
            respond(answer, context: context, close: true)
            return
        }
        state = .idle
        respond(answer, context: context, close: false)
        if !waiting.isEmpty {
            while !waiting.isEmpty, !isPublishing {
                handle(waiting.removeFirst(), context: context)
            }
            // What was passed on now reaches the router (it takes reads at read-complete).
            context.fireChannelReadComplete()
        }
        releaseHeldRead(context)
    }

    /// Whether the socket must not be read now:
    /// - a publish is in flight and parts already wait behind it, so a client that pipelines
    ///   without end cannot fill `waiting` (a read is not held when nothing waits: holding it
    ///   would take the socket out of epoll and put it back for every publish);
    /// - the answers are not being read (the channel is not writable), so a client that
    ///   pipelines publishes and never reads cannot pile answers up in memory.
    private func mustHoldReads(_ context: ChannelHandlerContext) -> Bool {
        (isPublishing && !waiting.isEmpty) || !context.channel.isWritable
    }

    private func releaseHeldRead(_ context: ChannelHandlerContext) {
        if heldRead, !mustHoldReads(context) {
            heldRead = false
            context.read()
        }
    }

    func read(context: ChannelHandlerContext) {
        if mustHoldReads(context) {
            heldRead = true
        } else {
            context.read()
        }
    }

    func channelWritabilityChanged(context: ChannelHandlerContext) {
        releaseHeldRead(context)
        context.fireChannelWritabilityChanged()
    }

    private var isPublishing: Bool {
        if case .publishing = state { return true }
        return false
    }

    /// Answers `204`, or `answer`.
    private func respond(_ answer: HTTPAPIServer.JSONAnswer?, context: ChannelHandlerContext, close: Bool, linger: Bool = false) {
        if answer == nil, !close, let encoderContext {
            // Between responses the encoder holds no state, and every response before this one
            // has ended (the router's are counted in `routerRequests`): the bytes can go out
            // past it, saving its formatting and two passes through the pipeline.
            encoderContext.writeAndFlush(NIOAny(Self.noContent), promise: nil)
            return
        }
        var response = HTTPResponseHead(version: .http1_1, status: .noContent)
        var body: ByteBuffer?
        if let answer {
            let bytes = answer.body
            response.status = HTTPResponseStatus(statusCode: answer.status)
            response.headers.add(name: "Content-Type", value: "application/json")
            response.headers.add(name: "Content-Length", value: String(bytes.count))
            body = context.channel.allocator.buffer(bytes: bytes)
        }
        if close { response.headers.add(name: "Connection", value: "close") }
        context.write(wrapOutboundOut(.head(response)), promise: nil)
        if let body { context.write(wrapOutboundOut(.body(.byteBuffer(body))), promise: nil) }
        if close {
            let bound = NIOLoopBound((self, context), eventLoop: context.eventLoop)
            context.writeAndFlush(wrapOutboundOut(.end(nil))).whenComplete { result in
                let (handler, context) = bound.value
                if linger, case .success = result {
                    handler.linger(context)
                } else {
                    context.close(promise: nil)
                }
            }
        } else {
            context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
        }
    }

    /// Half-closes after a 413 and drops what is left of the body (see the type's notes).
    private func linger(_ context: ChannelHandlerContext) {
        let bound = NIOLoopBound(context, eventLoop: context.eventLoop)
        context.close(mode: .output).whenFailure { _ in bound.value.close(promise: nil) }
        lingerTimer = context.eventLoop.assumeIsolated().scheduleTask(in: Self.lingerLimit) {
            bound.value.close(promise: nil)
        }
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        guard case .end = unwrapOutboundIn(data) else {
            context.write(data, promise: promise)
            return
        }
        routerRequests = max(0, routerRequests - 1)
        if idleTimeout != nil { lastActivity = .now() }
        context.write(data, promise: promise)
        if continueAfter > 0 {
            continueAfter -= 1
            if continueAfter == 0 { writeContinue(context) }
        }
    }

    /// `Expect: 100-continue` on an HTTP/1.1 request: the client waits for `100 Continue`
    /// before it sends the body (curl for bodies over 1 MiB, for up to a second; some HTTP
    /// clients for every body). It is sent when the request's head is read, once the answers
    /// before it have ended — a request is never refused before its body here but for its size,
    /// which is judged as the body arrives.
    static func expectsContinue(_ request: HTTPRequestHead) -> Bool {
        guard request.version.major == 1, request.version.minor >= 1 else { return false }
        return request.headers["expect"].contains { $0.utf8.count == 12 && $0.lowercased() == "100-continue" }
    }

    /// Written past the response encoder (an interim answer is no response of its own to it),
    /// like the plain `204`.
    private func writeContinue(_ context: ChannelHandlerContext) {
        if let encoderContext {
            encoderContext.writeAndFlush(NIOAny(Self.continueBytes), promise: nil)
        } else {
            context.writeAndFlush(wrapOutboundOut(.head(HTTPResponseHead(version: .http1_1, status: .continue))), promise: nil)
        }
    }

    /// The publish a request asks for when this handler may answer it, else nil.
    static func publishInput(_ request: HTTPRequestHead, apiToken: String?) -> HTTPAPIServer.PublishInput? {
        guard apiToken == nil, request.method == .POST else { return nil }
        var target = request.uri
        guard let parsed = target.withUTF8({ parseTarget($0) }) else { return nil }
        return HTTPAPIServer.PublishInput(
            bulk: parsed.bulk, pubsubName: parsed.pubsub, topic: parsed.topic, body: [], metadata: parsed.metadata,
            traceParent: request.headers.first(name: "traceparent") ?? "", traceState: request.headers.first(name: "tracestate") ?? "")
    }

    /// Whether it is a bulk publish, `{pubsub}`, `{topic}` and the `metadata.*` query parameters
    /// of `/v1.0/publish/{pubsub}/{topic}[?query]`, `/v1.0-alpha1/publish/bulk/{pubsub}/{topic}[?query]`
    /// or `/v1.0/publish/bulk/{pubsub}/{topic}[?query]` (the router's routes: a constant
    /// `bulk` segment is taken before a `{pubsub}` parameter), read byte by byte (searching a
    /// substring by Character was a measurable share of a publish); nil for a target the
    /// router must judge: anything but printable ASCII, `%`, `+`, `#` or `\` anywhere, no
    /// topic, a topic ending in `/` or with an empty segment.
    static func parseTarget(_ bytes: UnsafeBufferPointer<UInt8>) -> (bulk: Bool, pubsub: String, topic: String, metadata: [String: String])? {
        let bulk: Bool
        let start: Int
        if let end = prefixEnd("/v1.0/publish/bulk/", bytes) ?? prefixEnd("/v1.0-alpha1/publish/bulk/", bytes) {
            (bulk, start) = (true, end)
        } else if let end = prefixEnd("/v1.0/publish/", bytes) {
            (bulk, start) = (false, end)
        } else {
            return nil
        }
        var slash: Int?
        var mark = bytes.count
        for index in start..<bytes.count {
            let byte = bytes[index]
            guard byte > 0x20, byte < 0x7F, byte != UInt8(ascii: "%"), byte != UInt8(ascii: "+"),
                  byte != UInt8(ascii: "#"), byte != UInt8(ascii: "\\")
            else { return nil }
            if mark == bytes.count {
                if byte == UInt8(ascii: "?") {
                    mark = index
                } else if byte == UInt8(ascii: "/"), slash == nil {
                    slash = index
                }
            }
        }
        guard let slash, slash > start, slash + 1 < mark, bytes[mark - 1] != UInt8(ascii: "/") else { return nil }
        let pubsub = Self.text(bytes, start..<slash)
        var previousWasSlash = true  // the slash after {pubsub}: a topic starting with `/` has an empty segment
        for byte in bytes[(slash + 1)..<mark] {
            let isSlash = byte == UInt8(ascii: "/")
            if isSlash && previousWasSlash { return nil }
            previousWasSlash = isSlash
        }
        var metadata: [String: String] = [:]
        if mark < bytes.count {
            let key: StaticString = "metadata."
            let keyPrefix = UnsafeBufferPointer(start: key.utf8Start, count: key.utf8CodeUnitCount)
            for pair in bytes[(mark + 1)...].split(separator: UInt8(ascii: "&")) {
                guard pair.starts(with: keyPrefix) else { continue }
                let name = pair.index(pair.startIndex, offsetBy: keyPrefix.count)
                if let equals = pair[name...].firstIndex(of: UInt8(ascii: "=")) {
                    metadata[Self.text(bytes, name..<equals)] = Self.text(bytes, (equals + 1)..<pair.endIndex)
                } else {
                    metadata[Self.text(bytes, name..<pair.endIndex)] = ""
                }
            }
        }
        return (bulk, pubsub, Self.text(bytes, (slash + 1)..<mark), metadata)
    }

    /// Where `prefix` ends when `bytes` start with it and go on past it, else nil.
    private static func prefixEnd(_ prefix: StaticString, _ bytes: UnsafeBufferPointer<UInt8>) -> Int? {
        let count = prefix.utf8CodeUnitCount
        guard bytes.count > count, UnsafeBufferPointer(start: prefix.utf8Start, count: count).elementsEqual(bytes[..<count]) else { return nil }
        return count
    }

    private static func text(_ bytes: UnsafeBufferPointer<UInt8>, _ range: Range<Int>) -> String {
        String(decoding: UnsafeBufferPointer(rebasing: bytes[range]), as: UTF8.self)
    }
}
