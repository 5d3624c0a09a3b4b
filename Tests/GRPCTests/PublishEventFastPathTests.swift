import DaprProto
import EventLoopExecutor
import GRPCCore
import Logging
import NIOCore
import NIOEmbedded
import NIOHPACK
import NIOHTTP2
import OutriggerCore
import OutriggerDelivery
@testable import OutriggerGRPCAPI
import Testing

/// Which HTTP/2 streams the `PublishEvent` fast path answers itself, and the answers it writes
/// without publishing (a request it refuses); every other stream is grpc-swift's. The publishes
/// it makes are the sidecar tests' (PublishTests, APITokenTests, OversizedMessageTests: the
/// grpc-swift client's `PublishEvent` takes this path).
@Suite("gRPC PublishEvent fast path")
struct PublishEventFastPathTests {
    /// What passes the fast path: grpc-swift's stream handler's place.
    final class Behind: ChannelInboundHandler {
        typealias InboundIn = HTTP2Frame.FramePayload
        var frames: [HTTP2Frame.FramePayload] = []
        var inactive = false
        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            frames.append(unwrapInboundIn(data))
        }
        func channelInactive(context: ChannelHandlerContext) {
            inactive = true
        }
    }

    func stream(maxMessageSize: Int = 1024, apiToken: String? = nil) throws -> (EmbeddedChannel, Behind) {
        let components = LoadedComponents([])
        let publisher = Publisher(appID: "a", components: components)
        let streams = StreamingSubscriptions(
            settings: .init(appID: "a", drainTimeout: .seconds(1), resiliencies: []), publisher: publisher, logger: Logger(label: "test"))
        let dependencies = DaprService.Dependencies(
            publisher: publisher, bindings: BindingInvoker(components: components), streams: streams, metadata: { .null }, requestShutdown: {})
        let service = DaprService(dependencies: dependencies, logger: Logger(label: "test"))
        let channel = EmbeddedChannel()
        let behind = Behind()
        try channel.pipeline.syncOperations.addHandler(behind)
        let fastPath = PublishEventFastPath(
            service: service, maxMessageSize: maxMessageSize, apiToken: apiToken, executor: EventLoopTaskExecutor(channel.embeddedEventLoop))
        try channel.pipeline.syncOperations.addHandler(fastPath, position: .first)
        return (channel, behind)
    }

    func headers(path: String = PublishEventFastPath.path, _ extra: [(String, String)] = [], endStream: Bool = false) -> HTTP2Frame.FramePayload {
        let fields = [(":method", "POST"), (":scheme", "http"), (":path", path), ("content-type", "application/grpc"), ("te", "trailers")] + extra
        return .headers(.init(headers: HPACKHeaders(fields), endStream: endStream))
    }

    func data(_ bytes: [UInt8], endStream: Bool = true) -> HTTP2Frame.FramePayload {
        .data(.init(data: .byteBuffer(ByteBuffer(bytes: bytes)), endStream: endStream))
    }

    /// `message` length-prefixed, `compressed` flag as given.
    func framed(_ message: [UInt8], compressed: UInt8 = 0) -> [UInt8] {
        let length = UInt32(message.count)
        return [compressed, UInt8(length >> 24), UInt8(truncatingIfNeeded: length >> 16), UInt8(truncatingIfNeeded: length >> 8), UInt8(truncatingIfNeeded: length)] + message
    }

    /// The one frame written: a trailers-only answer's headers, ending the stream.
    func trailersOnly(_ channel: EmbeddedChannel) throws -> HPACKHeaders {
        let frame = try #require(try channel.readOutbound(as: HTTP2Frame.FramePayload.self))
        guard case .headers(let headers) = frame else {
            Issue.record("expected a trailers-only answer, got \(frame)")
            return [:]
        }
        #expect(headers.endStream)
        #expect(try channel.readOutbound(as: HTTP2Frame.FramePayload.self) == nil)
        #expect(headers.headers.first(name: ":status") == "200" && headers.headers.first(name: "content-type") == "application/grpc")
        return headers.headers
    }

    @Test("other methods, compressed requests, a request without a message and a missing or wrong token pass on untouched, and the handler leaves the stream")
    func passesOn() throws {
        let cases: [(HTTP2Frame.FramePayload, String?)] = [
            (headers(path: "/dapr.proto.runtime.v1.Dapr/BulkPublishEvent"), nil),
            (headers(path: "/dapr.proto.runtime.v1.Dapr/PublishEventX"), nil),
            (headers([("grpc-encoding", "gzip")]), nil),
            (headers(endStream: true), nil),
            (headers(), "secret"),
            (headers([("dapr-api-token", "wrong")]), "secret"),
        ]
        for (first, token) in cases {
            let (channel, behind) = try stream(apiToken: token)
            try channel.writeInbound(first)
            try channel.writeInbound(data(framed([1, 2, 3])))
            #expect(behind.frames.count == 2, "\(first)")
            #expect(try channel.readOutbound(as: HTTP2Frame.FramePayload.self) == nil)
            #expect(throws: (any Error).self) { try channel.pipeline.syncOperations.handler(type: PublishEventFastPath.self) }
            channel.pipeline.fireChannelInactive()
            #expect(behind.inactive)
        }
    }

    @Test("a PublishEvent with the right token, or grpc-encoding identity, is taken: nothing passes on, not even the stream's close")
    func taken() throws {
        for (extra, token) in [([("dapr-api-token", "secret")], "secret"), ([("grpc-encoding", "identity")], nil)] as [([(String, String)], String?)] {
            let (channel, behind) = try stream(apiToken: token)
            try channel.writeInbound(headers(extra))
            try channel.writeInbound(data(framed([0xFF]), endStream: false))
            #expect(behind.frames.isEmpty)
            _ = try channel.pipeline.syncOperations.handler(type: PublishEventFastPath.self)
            channel.pipeline.fireChannelInactive()
            #expect(!behind.inactive)
        }
    }

    @Test("a message over the limit is refused with RESOURCE_EXHAUSTED as soon as it is over; the rest is dropped")
    func oversized() throws {
        let (channel, behind) = try stream(maxMessageSize: 10)
        try channel.writeInbound(headers())
        try channel.writeInbound(data(framed(Array(repeating: 1, count: 8)), endStream: false))
        #expect(try channel.readOutbound(as: HTTP2Frame.FramePayload.self) == nil)
        try channel.writeInbound(data([1, 1, 1], endStream: false))
        let trailers = try trailersOnly(channel)
        #expect(trailers.first(name: "grpc-status") == String(RPCError.Code.resourceExhausted.rawValue))
        #expect(trailers.first(name: "grpc-message")?.contains("larger than 10 bytes") == true)
        try channel.writeInbound(data([1, 1, 1]))
        #expect(try channel.readOutbound(as: HTTP2Frame.FramePayload.self) == nil)
        #expect(behind.frames.isEmpty)
    }

    @Test("a body that is not one whole uncompressed PublishEventRequest is refused before anything is published", arguments: [
        ([UInt8](), RPCError.Code.internalError, "carried none"),
        ([0, 0, 0], .internalError, "carried none"),
        ([0, 0, 0, 0, 9, 1], .internalError, "does not hold one whole"),
        ([0, 0, 0, 0, 0, 0], .internalError, "does not hold one whole"),
        ([1, 0, 0, 0, 0], .internalError, "compressed"),
        ([0, 0, 0, 0, 2, 0xFF, 0xFF], .invalidArgument, "not a PublishEventRequest"),
    ])
    func malformed(_ body: [UInt8], _ code: RPCError.Code, _ text: String) throws {
        let (channel, _) = try stream()
        try channel.writeInbound(headers())
        try channel.writeInbound(data(body))
        let trailers = try trailersOnly(channel)
        #expect(trailers.first(name: "grpc-status") == String(code.rawValue))
        #expect(trailers.first(name: "grpc-message")?.contains(text) == true, "\(trailers)")
    }

    @Test("a message split over frames, or ended by trailers, is read whole before it is judged")
    func split() throws {
        var request = Dapr_Proto_Runtime_V1_PublishEventRequest()
        request.pubsubName = "p"
        request.topic = "t"
        let body = try #require(PublishEventFastPath.message(in: ByteBuffer(bytes: framed(try request.serializedBytes()))).get())
        #expect(try Dapr_Proto_Runtime_V1_PublishEventRequest(serializedBytes: body) == request)
        // A message that frames whole but does not parse: the answer says so only once all of
        // it has been read (a partial body would be a framing error).
        let bytes = framed([0xFF, 0xFF, 0xFF, 0xFF])
        for endsWithTrailers in [false, true] {
            let (channel, _) = try stream()
            try channel.writeInbound(headers())
            try channel.writeInbound(data(Array(bytes[..<3]), endStream: false))
            try channel.writeInbound(data(Array(bytes[3..<6]), endStream: false))
            #expect(try channel.readOutbound(as: HTTP2Frame.FramePayload.self) == nil)
            if endsWithTrailers {
                try channel.writeInbound(data(Array(bytes[6...]), endStream: false))
                try channel.writeInbound(HTTP2Frame.FramePayload.headers(.init(headers: [:], endStream: true)))
            } else {
                try channel.writeInbound(data(Array(bytes[6...]), endStream: true))
            }
            let trailers = try trailersOnly(channel)
            #expect(trailers.first(name: "grpc-status") == String(RPCError.Code.invalidArgument.rawValue))
            #expect(trailers.first(name: "grpc-message")?.contains("not a PublishEventRequest") == true, "\(trailers)")
        }
    }

    @Test("trailers as grpc-swift writes them: percent-encoded message, binary metadata in padded base64")
    func trailers() {
        #expect(PublishEventFastPath.percentEncoded("plain text: ok") == "plain text: ok")
        #expect(PublishEventFastPath.percentEncoded("50% é\n") == "50%25 %C3%A9%0A")
        let headers = PublishEventFastPath.trailersOnly(
            code: .invalidArgument, message: "bad", metadata: ["Key": "v", "details-bin": .binary([1, 2, 3, 4])])
        #expect(headers.first(name: "grpc-status") == "3" && headers.first(name: "grpc-message") == "bad")
        #expect(headers.first(name: "key") == "v" && headers.first(name: "details-bin") == "AQIDBA==")
        #expect(!PublishEventFastPath.trailersOnly(code: .internalError, message: "", metadata: [:]).contains(name: "grpc-message"))
    }
}
