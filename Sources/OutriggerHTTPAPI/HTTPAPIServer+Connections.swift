import HTTPTypes
import HummingbirdCore
import Logging
import NIOCore
import NIOHTTP1
import NIOHTTPTypes
import NIOHTTPTypesHTTP1

extension HTTPAPIServer {
    /// The HTTP/1.1 server of the API: Hummingbird's router behind ``PublishFastPath``, with the
    /// read deadlines of ``http1(readTimeout:publishFastPath:)``.
    public func server(readTimeout: Duration) -> HTTPServerBuilder {
        Self.http1(readTimeout: readTimeout, publishFastPath: self)
    }

    /// An HTTP/1.1 server whose settings keep slow or stalled clients from holding connections
    /// (`--http-read-timeout`): a request head must arrive within `readTimeout` of the
    /// connection opening or of the previous response, a body may pause at most that long and
    /// must be complete that long after its head, and an idle keep-alive connection is closed
    /// after it. With `publishFastPath`, its plain publishes are answered before the router.
    public static func http1(readTimeout: Duration, publishFastPath: HTTPAPIServer? = nil) -> HTTPServerBuilder {
        HTTPServerBuilder { responder in
            APIChannel(responder: responder, readTimeout: readTimeout, fastPath: publishFastPath)
        }
    }
}

/// Hummingbird's HTTP/1.1 child channel with two handlers of ours between NIO's HTTP/1.1 codec
/// and the conversion to Swift HTTP Types: the body deadline, and the publish fast path, so a
/// publish it answers is never converted (the conversion of each head and response costs about
/// as much as the publish itself).
struct APIChannel: HTTPChannelHandler {
    typealias Value = NIOAsyncChannel<HTTPRequestPart, HTTPResponsePart>

    let responder: HTTPChannelHandler.Responder
    let readTimeout: Duration
    let fastPath: HTTPAPIServer?

    func setup(channel: any Channel, logger: Logger) -> EventLoopFuture<Value> {
        channel.eventLoop.makeCompletedFuture {
            // As Hummingbird's HTTP1Channel: its decoder limits, no pipelining assistance
            // (responses are written in order by the router's loop), errors answered by it.
            let defaults = HTTP1Channel.Configuration().httpDecoder
            var limits = NIOHTTPDecoderLimitConfiguration()
            limits.maxHeaderFieldSize = defaults.maxHeaderFieldSize
            limits.maxHeaderListSize = defaults.maxHeaderListSize
            limits.maxHeaderFieldCount = defaults.maxHeaderFieldCount
            let pipeline = channel.pipeline.syncOperations
            try pipeline.configureHTTPServerPipeline(
                withPipeliningAssistance: false, withErrorHandling: false, withOutboundHeaderValidation: false,
                withEncoderConfiguration: .init(), withDecoderLimitConfiguration: limits)
            try pipeline.addHandler(RequestBodyDeadline(limit: TimeAmount(readTimeout)))
            if let fastPath {
                // The fast path keeps the idle timeout: the router's handler below does not see
                // the publishes answered there.
                try pipeline.addHandler(PublishFastPath(server: fastPath, idleTimeout: TimeAmount(readTimeout)))
            }
            try pipeline.addHandler(HTTP1ToHTTPServerCodec(secure: false))
            try pipeline.addHandler(HTTPConnectionStateHandler(idleTimeout: fastPath == nil ? readTimeout : nil, logger: logger))
            return try NIOAsyncChannel(wrappingChannelSynchronously: channel, configuration: .init(isOutboundHalfClosureEnabled: true))
        }
    }

    func handle(value asyncChannel: Value, logger: Logger) async {
        await handleHTTP(asyncChannel: asyncChannel, logger: logger)
    }
}
