import NIOConcurrencyHelpers
import NIOCore
import NIOPosix

/// A raw-bytes HTTP/1.1 app on 127.0.0.1 whose answer depends on the path, so a test can send
/// exactly the framing it wants to check (chunked, close-delimited, `Connection: close`, silence).
///
/// - `/ok`: 200 echoing the body, keep-alive. `/empty`: 204.
/// - `/headers`: 200 with the request head as its body.
/// - `/close`: 200 `bye` with `Connection: close`, then closes.
/// - `/chunked`: 200 `hello world` in two chunks, keep-alive.
/// - `/eof`: 200 without a length, the body ends when the connection closes.
/// - `/big`: 200 with a 2,000-byte body.
/// - `/die`: closes without answering. `/hang`: never answers.
/// - `/slow`: 200 after 20 ms (to keep connections busy in the pool-limit test).
final class TestAppServer: Sendable {
    enum Event: Sendable, Equatable {
        case accepted
        case request(String)
        case closed
    }

    struct Counters: Sendable {
        var accepted = 0
        var open = 0
        var maxOpen = 0
        var requests = 0
    }

    /// Shared with the connection handlers on the event loops. A pthread mutex, which
    /// ThreadSanitizer understands (it cannot see `Synchronization.Mutex` park on Linux).
    typealias CounterBox = NIOLockedValueBox<Counters>

    let port: Int
    let counters: CounterBox
    let events: AsyncStream<Event>
    private let eventSink: AsyncStream<Event>.Continuation
    private let channel: any Channel

    static func start() async throws -> TestAppServer {
        let (events, sink) = AsyncStream.makeStream(of: Event.self, bufferingPolicy: .bufferingNewest(10_000))
        let counters = CounterBox(Counters())
        let channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                counters.withLockedValue {
                    $0.accepted += 1
                    $0.open += 1
                    $0.maxOpen = max($0.maxOpen, $0.open)
                }
                sink.yield(.accepted)
                channel.closeFuture.whenComplete { _ in
                    counters.withLockedValue { $0.open -= 1 }
                    sink.yield(.closed)
                }
                return channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(RawHTTPHandler(counters: counters, events: sink))
                }
            }
            .bind(host: "127.0.0.1", port: 0).get()
        return TestAppServer(port: channel.localAddress!.port!, counters: counters, events: events, eventSink: sink, channel: channel)
    }

    private init(port: Int, counters: CounterBox, events: AsyncStream<Event>, eventSink: AsyncStream<Event>.Continuation, channel: any Channel) {
        self.port = port
        self.counters = counters
        self.events = events
        self.eventSink = eventSink
        self.channel = channel
    }

    var snapshot: Counters { counters.withLockedValue { $0 } }

    /// Waits for `count` events matching `event`, failing after `timeout`.
    func waitFor(_ event: Event, count: Int = 1, timeout: Duration = .seconds(60)) async throws {
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
                var seen = 0
                for await next in self.events where next == event {
                    seen += 1
                    if seen == count { return }
                }
            }
            group.addTask {
                try await Task.sleep(for: timeout)
                throw TestAppServerTimeout(event: event)
            }
            try await group.next()
            group.cancelAll()
        }
    }

    func stop() async throws {
        try await channel.close()
        eventSink.finish()
    }
}

struct TestAppServerTimeout: Error {
    var event: TestAppServer.Event
}

/// Reads requests framed by `Content-Length` and answers by path.
private final class RawHTTPHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    private let counters: TestAppServer.CounterBox
    private let events: AsyncStream<TestAppServer.Event>.Continuation
    private var buffer = ByteBuffer()
    typealias Counters = TestAppServer.Counters

    init(counters: TestAppServer.CounterBox, events: AsyncStream<TestAppServer.Event>.Continuation) {
        self.counters = counters
        self.events = events
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        var bytes = unwrapInboundIn(data)
        buffer.writeBuffer(&bytes)
        while let (head, body) = nextRequest() {
            let path = String(head.split(separator: " ").dropFirst().first ?? "")
            counters.withLockedValue { $0.requests += 1 }
            events.yield(.request(path))
            answer(path: path, head: head, body: body, context: context)
        }
    }

    private func nextRequest() -> (head: String, body: ByteBuffer)? {
        let view = buffer.readableBytesView
        guard let end = view.firstRange(of: Array("\r\n\r\n".utf8)) else { return nil }
        let headLength = end.upperBound - view.startIndex
        let head = String(decoding: view[view.startIndex..<end.lowerBound], as: UTF8.self)
        var length = 0
        for line in head.split(separator: "\r\n") where line.lowercased().hasPrefix("content-length:") {
            length = Int(line.dropFirst("content-length:".count).drop(while: { $0 == " " })) ?? 0
        }
        guard buffer.readableBytes >= headLength + length else { return nil }
        buffer.moveReaderIndex(forwardBy: headLength)
        let body = buffer.readSlice(length: length)!
        buffer.discardReadBytes()
        return (head, body)
    }

    private func answer(path: String, head: String, body: ByteBuffer, context: ChannelHandlerContext) {
        switch path {
        case "/ok":
            write("HTTP/1.1 200 OK\r\nContent-Length: \(body.readableBytes)\r\n\r\n", body: body, context: context)
        case "/empty":
            write("HTTP/1.1 204 No Content\r\n\r\n", context: context)
        case "/headers":
            write("HTTP/1.1 200 OK\r\nContent-Length: \(head.utf8.count)\r\n\r\n\(head)", context: context)
        case "/close":
            write("HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 3\r\n\r\nbye", context: context, thenClose: true)
        case "/chunked":
            write("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n", context: context)
        case "/eof":
            write("HTTP/1.1 200 OK\r\n\r\nuntil-close", context: context, thenClose: true)
        case "/big":
            write("HTTP/1.1 200 OK\r\nContent-Length: 2000\r\n\r\n" + String(repeating: "x", count: 2000), context: context)
        case "/die":
            context.close(promise: nil)
        case "/hang":
            break
        case "/slow":
            let loopBound = NIOLoopBound((self, context), eventLoop: context.eventLoop)
            context.eventLoop.scheduleTask(in: .milliseconds(20)) {
                let (handler, context) = loopBound.value
                handler.write("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n", context: context)
            }
        default:
            write("HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n", context: context)
        }
    }

    private func write(_ text: String, body: ByteBuffer? = nil, context: ChannelHandlerContext, thenClose: Bool = false) {
        var out = context.channel.allocator.buffer(string: text)
        if var body { out.writeBuffer(&body) }
        let done = context.writeAndFlush(wrapOutboundOut(out))
        if thenClose {
            let loopBound = NIOLoopBound(context, eventLoop: context.eventLoop)
            done.whenComplete { _ in loopBound.value.close(promise: nil) }
        }
    }
}
