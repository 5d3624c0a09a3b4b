// outrigger-ceilings: the HTTP servers `make bench` measures the sidecar's publish against, so a
// gap is located rather than guessed. Each answers `POST /v1.0/publish/{pubsub}/{topic}` with 204
// after reading the whole body, and does nothing else:
//
//   outrigger-ceilings hummingbird PORT   the framework the sidecar's HTTP API runs on, same router shape
//   outrigger-ceilings nio PORT           a bare SwiftNIO HTTP/1.1 handler, one event loop per core
//   outrigger-ceilings nio-task PORT      the same, answering from a Swift concurrency task: the
//                                         cost of one hop from the event loop to async code and back
//   outrigger-ceilings nio-loop-task PORT the same task, preferring the connection's event loop as
//                                         its executor (no thread switch): what PublishFastPath does
//   outrigger-ceilings nio-relay PORT APP_PORT
//                                         the end-to-end ceiling: answers 204, then POSTs the body
//                                         to the app on the same loop (Relay.swift)
//   outrigger-ceilings nio-h2 PORT        the gRPC floor without grpc-swift: bare SwiftNIO HTTP/2
//                                         answering every call with an empty OK message
//                                         (GRPCNoOp.swift)
//   outrigger-ceilings nio-amqp PORT AMQP_PORT EXCHANGE
//                                         the RabbitMQ publish ceiling: each body published with
//                                         confirms on its event loop's AMQP connection, answered
//                                         when confirmed (AMQPPublishCeiling.swift)
import Hummingbird
import NIOCore
import NIOHTTP1
import NIOPosix
import EventLoopExecutor

let arguments = CommandLine.arguments
let relayArguments = arguments.count == 4 && arguments[1] == "nio-relay"
let amqpArguments = arguments.count == 5 && arguments[1] == "nio-amqp"
guard (arguments.count == 3 && !["nio-relay", "nio-amqp"].contains(arguments[1])) || relayArguments || amqpArguments,
    let port = Int(arguments[2]),
    ["hummingbird", "nio", "nio-task", "nio-loop-task", "nio-relay", "nio-h2", "nio-amqp"].contains(arguments[1])
else {
    print("""
        usage: outrigger-ceilings hummingbird|nio|nio-task|nio-loop-task|nio-h2 PORT
               outrigger-ceilings nio-relay PORT APP_PORT
               outrigger-ceilings nio-amqp PORT AMQP_PORT EXCHANGE
        """)
    exit(2)
}

if amqpArguments {
    guard let amqpPort = Int(arguments[3]) else {
        print("nio-amqp: AMQP_PORT must be a port number")
        exit(2)
    }
    do {
        try await AMQPPublishCeiling.run(port: port, amqpPort: amqpPort, exchange: arguments[4])
    } catch {
        print("nio-amqp: cannot publish to the broker on 127.0.0.1:\(amqpPort): \(error)")
        exit(1)
    }
} else if arguments[1] == "nio-h2" {
    try await GRPCNoOp.run(port: port)
} else if relayArguments {
    guard let appPort = Int(arguments[3]) else {
        print("nio-relay: APP_PORT must be a port number")
        exit(2)
    }
    try await Relay.run(port: port, appPort: appPort)
} else if arguments[1] == "hummingbird" {
    let router = Router()
    router.post("/v1.0/publish/:pubsub/**") { request, _ -> Response in
        var request = request
        _ = try await request.collectBody(upTo: 4 << 20)
        return Response(status: .noContent)
    }
    let application = Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: port), serverName: "ceiling"))
    try await application.runService()
} else {
    /// Reads each request to its end and answers 204 (from a task when `hop`), keeping the
    /// connection open.
    final class NoContentHandler: ChannelInboundHandler, @unchecked Sendable {
        typealias InboundIn = HTTPServerRequestPart
        typealias OutboundOut = HTTPServerResponsePart
        private var keepAlive = true
        let hop: Bool
        let onLoop: Bool
        private var executor: EventLoopTaskExecutor?
        init(hop: Bool, onLoop: Bool) { (self.hop, self.onLoop) = (hop, onLoop) }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            switch unwrapInboundIn(data) {
            case .head(let head):
                keepAlive = head.isKeepAlive
            case .body:
                break
            case .end where hop:
                let loopBound = NIOLoopBound(context, eventLoop: context.eventLoop)
                let eventLoop = context.eventLoop
                let answer: @Sendable () async -> Void = {
                    eventLoop.execute {
                        let context = loopBound.value
                        var headers = HTTPHeaders()
                        headers.add(name: "content-length", value: "0")
                        context.write(self.wrapOutboundOut(.head(HTTPResponseHead(version: .http1_1, status: .noContent, headers: headers))), promise: nil)
                        context.writeAndFlush(self.wrapOutboundOut(.end(nil)), promise: nil)
                    }
                }
                if onLoop {
                    let executor = executor ?? EventLoopTaskExecutor(eventLoop)
                    self.executor = executor
                    Task(executorPreference: executor) { await answer() }
                } else {
                    Task { await answer() }
                }
            case .end:
                var headers = HTTPHeaders()
                headers.add(name: "content-length", value: "0")
                let head = HTTPResponseHead(version: .http1_1, status: .noContent, headers: headers)
                context.write(wrapOutboundOut(.head(head)), promise: nil)
                context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
                if !keepAlive { context.close(promise: nil) }
            }
        }
    }
    let (hop, onLoop) = (arguments[1].hasSuffix("task"), arguments[1] == "nio-loop-task")
    try await serve(port: port) { channel in
        channel.pipeline.configureHTTPServerPipeline().flatMap { channel.pipeline.addHandler(NoContentHandler(hop: hop, onLoop: onLoop)) }
    }
}
