import NIOCore
import NIOEmbedded
import NIOHTTP1
import OutriggerCore
import OutriggerDelivery
@testable import OutriggerHTTPAPI
import Testing

/// Which requests the publish fast path answers itself, and what it reads from them; every
/// other request is the router's.
@Suite("Publish fast path: what it takes")
struct PublishFastPathTests {
    func input(_ path: String, method: HTTPMethod = .POST, token: String? = nil, headers: HTTPHeaders = [:]) -> HTTPAPIServer.PublishInput? {
        let request = HTTPRequestHead(version: .http1_1, method: method, uri: path, headers: headers)
        return PublishFastPath.publishInput(request, apiToken: token)
    }

    @Test("a plain publish is taken: pubsub, topic with slashes, metadata query parameters and trace headers")
    func taken() throws {
        let headers: HTTPHeaders = [
            "Traceparent": "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01",
            "tracestate": "k=v",
        ]
        let taken = try #require(input("/v1.0/publish/pubsub/orders/eu?metadata.ttlInSeconds=60&other=1&metadata.rawPayload=true", headers: headers))
        #expect(taken.pubsubName == "pubsub" && taken.topic == "orders/eu")
        #expect(taken.metadata == ["ttlInSeconds": "60", "rawPayload": "true"])
        #expect(taken.traceParent == "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01" && taken.traceState == "k=v")
        #expect(!taken.bulk)
    }

    @Test("a bulk publish is taken under both prefixes; a pubsub named bulk only behind one of them")
    func bulkTaken() throws {
        for prefix in ["/v1.0-alpha1/publish/bulk/", "/v1.0/publish/bulk/"] {
            let taken = try #require(input("\(prefix)pubsub/orders/eu?metadata.rawPayload=true"))
            #expect(taken.bulk && taken.pubsubName == "pubsub" && taken.topic == "orders/eu")
            #expect(taken.metadata == ["rawPayload": "true"])
        }
        let named = try #require(input("/v1.0/publish/bulk/bulk/orders"))
        #expect(named.bulk && named.pubsubName == "bulk" && named.topic == "orders")
        let single = try #require(input("/v1.0/publish/bulky/orders"))
        #expect(!single.bulk && single.pubsubName == "bulky")
    }

    @Test("query parameters: only metadata.* are read, the first = splits, a name without = has an empty value")
    func queryParameters() throws {
        let taken = try #require(input("/v1.0/publish/p/t?metadata.a=b=c&&metadata.flag&metadata=x&xmetadata.y=1&metadata.=v"))
        #expect(taken.pubsubName == "p" && taken.topic == "t")
        #expect(taken.metadata == ["a": "b=c", "flag": "", "": "v"])
        #expect(try #require(input("/v1.0/publish/p/t?")).metadata.isEmpty)
    }

    @Test("left to the router", arguments: [
        "/v1.0/publish/pubsub/?metadata.a=b", "/v1.0/publish/p/t?x=%41", "/v1.0/publish/p/t?x=#", "/v1.0/publish/",
        "/v1.0/publish/bulk/orders", "/v1.0-alpha1/publish/bulk/orders", "/v1.0-alpha1/publish/bulk/", "/v1.0/publish/bulk/",
        "/v1.0-alpha1/publish/p/t", "/V1.0/publish/p/t", "/v1.0-alpha1/publish/bulk/p//t", "/v1.0/publish/p//t",
        "/v1.0/publish/pubsub", "/v1.0/publish/pubsub/", "/v1.0/publish//orders", "/v1.0/publish/pubsub/a//b",
        "/v1.0/publish/pub%73ub/orders", "/v1.0/publish/pubsub/orders?metadata.a=b+c",
        "/v1.0-alpha1/publish/bulk/pub%73ub/orders", "/v1.0/bindings/x", "/v1.0/publish/pubsub/orders/",
        "/v1.0/publish/pub\\sub/orders", "/v1.0/publish/pubsub/ordérs", "/v1.0/publish/pubsub/or ders",
    ])
    func leftAlone(_ path: String) {
        #expect(input(path) == nil, "\(path)")
    }

    @Test("PUT, and every request while DAPR_API_TOKEN is set, are the router's")
    func methodAndToken() {
        #expect(input("/v1.0/publish/pubsub/orders", method: .PUT) == nil)
        #expect(input("/v1.0/publish/pubsub/orders", token: "secret") == nil)
        #expect(input("/v1.0/publish/pubsub/orders") != nil)
    }
}

/// When the fast path lets the socket be read: always, except while parts already wait behind
/// a publish in flight, or while the answers are not being read.
@Suite("Publish fast path: reads")
struct PublishFastPathReadTests {
    /// Counts the reads that pass the fast path towards the socket.
    final class ReadCounter: ChannelOutboundHandler {
        typealias OutboundIn = Never
        var reads = 0
        func read(context: ChannelHandlerContext) {
            reads += 1
            context.read()
        }
    }

    func channel() throws -> (EmbeddedChannel, ReadCounter) {
        let publisher = Publisher(appID: "a", components: LoadedComponents([]))
        let server = HTTPAPIServer(dependencies: .init(publisher: publisher, status: SidecarStatus(), metadata: { .null }, requestShutdown: {}))
        let counter = ReadCounter()
        let channel = EmbeddedChannel()
        try channel.pipeline.syncOperations.addHandler(counter)
        try channel.pipeline.syncOperations.addHandler(PublishFastPath(server: server))
        return (channel, counter)
    }

    func publish(to pubsub: String) -> HTTPServerRequestPart {
        .head(HTTPRequestHead(version: .http1_1, method: .POST, uri: "/v1.0/publish/\(pubsub)/orders", headers: ["Content-Length": "0"]))
    }

    @Test("a read passes while a publish is in flight and nothing waits; with parts waiting it is held until the answer")
    func heldOnlyWhilePartsWait() throws {
        let (channel, counter) = try channel()
        try channel.writeInbound(publish(to: "nope"))
        try channel.writeInbound(HTTPServerRequestPart.end(nil))
        channel.read()
        #expect(counter.reads == 1)

        // The next request's head arrives before the first is answered: it waits, and so do reads.
        try channel.writeInbound(publish(to: "other"))
        channel.read()
        #expect(counter.reads == 1)

        // The publish completes (its task runs on the channel's loop): the answer, then the read.
        channel.embeddedEventLoop.run()
        channel.embeddedEventLoop.run()
        guard case .head(let answer) = try channel.readOutbound(as: HTTPServerResponsePart.self) else {
            Issue.record("no answer written")
            return
        }
        #expect(answer.status == .badRequest)  // no pub/sub is configured: ERR_PUBSUB_NOT_CONFIGURED
        #expect(counter.reads == 2)
        _ = try? channel.finish()
    }

    /// Counts the shutdown's quiesce events that reach the router's side of the pipeline.
    final class QuiesceRecorder: ChannelInboundHandler {
        typealias InboundIn = Never
        var events = 0
        func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
            if event is ChannelShouldQuiesceEvent { events += 1 }
            context.fireUserInboundEventTriggered(event)
        }
    }

    @Test("the shutdown's quiesce during a publish: it is answered with Connection: close, then the connection closes")
    func quiesceDuringPublish() throws {
        let (channel, _) = try channel()
        let recorder = QuiesceRecorder()
        try channel.pipeline.syncOperations.addHandler(recorder)
        try channel.connect(to: SocketAddress(ipAddress: "127.0.0.1", port: 1)).wait()
        try channel.writeInbound(publish(to: "nope"))
        try channel.writeInbound(HTTPServerRequestPart.end(nil))
        channel.pipeline.fireUserInboundEventTriggered(ChannelShouldQuiesceEvent())
        // Kept from the router's handler, which would close the connection at once.
        #expect(recorder.events == 0)
        #expect(channel.isActive)

        channel.embeddedEventLoop.run()
        channel.embeddedEventLoop.run()
        guard case .head(let answer) = try channel.readOutbound(as: HTTPServerResponsePart.self) else {
            Issue.record("no answer written")
            return
        }
        #expect(answer.headers["connection"] == ["close"])
        channel.embeddedEventLoop.run()
        #expect(!channel.isActive)
    }

    @Test("the shutdown's quiesce with nothing in progress is passed on, and later publishes are the router's")
    func quiesceWhileIdle() throws {
        let (channel, _) = try channel()
        let recorder = QuiesceRecorder()
        try channel.pipeline.syncOperations.addHandler(recorder)
        channel.pipeline.fireUserInboundEventTriggered(ChannelShouldQuiesceEvent())
        #expect(recorder.events == 1)
        // A publish arriving now goes on to the router (it answers and closes), not to a broker here.
        try channel.writeInbound(publish(to: "nope"))
        guard case .head(let passed) = try channel.readInbound(as: HTTPServerRequestPart.self) else {
            Issue.record("the publish was not passed on")
            return
        }
        #expect(passed.uri == "/v1.0/publish/nope/orders")
        _ = try? channel.finish()
    }

    @Test("reads are held while the channel is not writable, and resume when it is")
    func heldWhileNotWritable() throws {
        let (channel, counter) = try channel()
        channel.isWritable = false
        channel.pipeline.fireChannelWritabilityChanged()
        channel.read()
        #expect(counter.reads == 0)
        channel.isWritable = true
        channel.pipeline.fireChannelWritabilityChanged()
        #expect(counter.reads == 1)
        channel.read()
        #expect(counter.reads == 2)
        _ = try? channel.finish()
    }
}
