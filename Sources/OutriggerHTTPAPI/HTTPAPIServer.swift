import CloudEvents
import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import OutriggerCore
import OutriggerDelivery

/// The Dapr HTTP API on `--dapr-http-port`: publish, health, metadata, shutdown.
public struct HTTPAPIServer: Sendable {
    /// What the API needs from the running sidecar.
    public struct Dependencies: Sendable {
        public var publisher: Publisher
        public var status: SidecarStatus
        /// The `/v1.0/metadata` document, built on request.
        public var metadata: @Sendable () -> JSONValue
        /// Starts a graceful shutdown (`POST /v1.0/shutdown`).
        public var requestShutdown: @Sendable () -> Void

        public init(publisher: Publisher, status: SidecarStatus, metadata: @escaping @Sendable () -> JSONValue, requestShutdown: @escaping @Sendable () -> Void) {
            self.publisher = publisher
            self.status = status
            self.metadata = metadata
            self.requestShutdown = requestShutdown
        }
    }

    public let dependencies: Dependencies
    public let maxBodySize: Int

    public init(dependencies: Dependencies, maxBodySize: Int = 4 << 20) {
        self.dependencies = dependencies
        self.maxBodySize = maxBodySize
    }

    /// The routes of the API.
    public func router() -> Router<BasicRequestContext> {
        let router = Router()
        let publish: @Sendable (Request, BasicRequestContext) async throws -> Response = { request, context in
            await self.publish(request, context: context)
        }
        router.on("/v1.0/publish/:pubsub/**", method: .post, use: publish)
        router.on("/v1.0/publish/:pubsub/**", method: .put, use: publish)
        router.on("/v1.0/publish/:pubsub", method: .post, use: publish)
        router.on("/v1.0/publish/:pubsub", method: .put, use: publish)
        router.get("/v1.0/healthz") { _, _ in
            self.dependencies.status.ready ? Response.noContent : Response(status: .internalServerError)
        }
        router.get("/v1.0/healthz/outbound") { _, _ in
            self.dependencies.status.outboundReady ? Response.noContent : Response(status: .internalServerError)
        }
        router.get("/v1.0/metadata") { _, _ in
            Response.json(self.dependencies.metadata().serialized())
        }
        router.post("/v1.0/shutdown") { _, _ in
            self.dependencies.requestShutdown()
            return Response.noContent
        }
        return router
    }

    /// `POST /v1.0/publish/{pubsub}/{topic}`: topics may contain `/`.
    func publish(_ request: Request, context: BasicRequestContext) async -> Response {
        let pubsubName = context.parameters.get("pubsub") ?? ""
        let topic = context.parameters.getCatchAll().joined(separator: "/")
        var request = request
        let body: ByteBuffer
        do {
            body = try await request.collectBody(upTo: maxBodySize)
        } catch {
            return APIError(status: 413, code: "ERR_MALFORMED_REQUEST", message: "request body is larger than \(maxBodySize) bytes (--max-body-size)").response
        }
        var metadata: [String: String] = [:]
        for (key, value) in request.uri.queryParameters where key.hasPrefix("metadata.") {
            metadata[String(key.dropFirst("metadata.".count))] = String(value)
        }
        let publishRequest = Publisher.Request(
            pubsubName: pubsubName, topic: topic,
            data: Array(buffer: body),
            contentType: request.headers[.contentType],
            metadata: metadata,
            traceParent: request.headers[traceParentField] ?? "",
            traceState: request.headers[traceStateField] ?? "")
        do throws(PublishError) {
            try await dependencies.publisher.publish(publishRequest)
            return .noContent
        } catch {
            return APIError(status: error.httpStatus, code: error.code, message: error.description).response
        }
    }
}

let traceParentField = HTTPField.Name("traceparent")!
let traceStateField = HTTPField.Name("tracestate")!
