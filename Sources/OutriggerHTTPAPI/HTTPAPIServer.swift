import CloudEvents
import HTTPTypes
import Hummingbird
import HummingbirdCore
import Logging
import NIOCore
import OutriggerCore
import OutriggerDelivery

/// The Dapr HTTP API on `--dapr-http-port`: publish, health, metadata, shutdown.
public struct HTTPAPIServer: Sendable {
    /// What the API needs from the running sidecar.
    public struct Dependencies: Sendable {
        public var publisher: Publisher
        /// The output-binding path shared with the gRPC API.
        public var bindings: BindingInvoker
        /// The secrets path shared with the gRPC API.
        public var secrets: SecretReader
        public var status: SidecarStatus
        /// The `/v1.0/metadata` document, built on request.
        public var metadata: @Sendable () -> JSONValue
        /// Starts a graceful shutdown (`POST /v1.0/shutdown`).
        public var requestShutdown: @Sendable () -> Void
        /// Why the outbound path is unhealthy right now (live component health and pings);
        /// empty when it is healthy.
        public var outboundProblems: @Sendable () async -> [String]

        public init(
            publisher: Publisher, bindings: BindingInvoker? = nil, secretScopes: [DaprConfiguration.SecretScope] = [],
            status: SidecarStatus, metadata: @escaping @Sendable () -> JSONValue,
            requestShutdown: @escaping @Sendable () -> Void, outboundProblems: @escaping @Sendable () async -> [String] = { [] }
        ) {
            self.publisher = publisher
            self.bindings = bindings ?? BindingInvoker(components: publisher.components, policies: publisher.policies)
            self.secrets = SecretReader(components: publisher.components, scopes: secretScopes)
            self.status = status
            self.metadata = metadata
            self.requestShutdown = requestShutdown
            self.outboundProblems = outboundProblems
        }
    }

    public let dependencies: Dependencies
    public let maxBodySize: Int
    /// `DAPR_API_TOKEN`: when set, every call but the health checks must carry it.
    public let apiToken: String?

    public init(dependencies: Dependencies, maxBodySize: Int = 4 << 20, apiToken: String? = nil) {
        self.dependencies = dependencies
        self.maxBodySize = maxBodySize
        self.apiToken = apiToken
    }

    /// The routes of the API.
    public func router() -> Router<BasicRequestContext> {
        let router = Router()
        if let apiToken { router.add(middleware: APITokenMiddleware(token: apiToken)) }
        let publish: @Sendable (Request, BasicRequestContext) async throws -> Response = { request, context in
            await self.publish(request, context: context)
        }
        router.on("/v1.0/publish/:pubsub/**", method: .post, use: publish)
        router.on("/v1.0/publish/:pubsub/**", method: .put, use: publish)
        router.on("/v1.0/publish/:pubsub", method: .post, use: publish)
        router.on("/v1.0/publish/:pubsub", method: .put, use: publish)
        let bulkPublish: @Sendable (Request, BasicRequestContext) async throws -> Response = { request, context in
            await self.bulkPublish(request, context: context)
        }
        for prefix in ["/v1.0-alpha1/publish/bulk", "/v1.0/publish/bulk"] {
            router.on("\(prefix)/:pubsub/**", method: .post, use: bulkPublish)
            router.on("\(prefix)/:pubsub", method: .post, use: bulkPublish)
        }
        let invokeBinding: @Sendable (Request, BasicRequestContext) async throws -> Response = { request, context in
            await self.invokeBinding(request, context: context)
        }
        router.on("/v1.0/bindings/:name", method: .post, use: invokeBinding)
        router.on("/v1.0/bindings/:name", method: .put, use: invokeBinding)
        router.get("/v1.0/secrets/:store/:key") { request, context in
            await self.getSecret(request, context: context)
        }
        router.get("/v1.0/healthz") { _, _ in
            self.dependencies.status.ready ? Response.noContent : Response(status: .internalServerError)
        }
        router.get("/v1.0/healthz/outbound") { _, _ in
            guard self.dependencies.status.outboundReady else {
                return APIError(status: 500, code: "ERR_HEALTH_NOT_READY", message: "the sidecar's components are not loaded yet").response
            }
            let problems = await self.dependencies.outboundProblems()
            guard problems.isEmpty else {
                return APIError(status: 500, code: "ERR_HEALTH_NOT_READY", message: problems.joined(separator: "; ")).response
            }
            return Response.noContent
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

    /// The parts of a publish request both publish routes read.
    struct PublishInput: Equatable {
        /// A bulk publish (`/v1.0-alpha1/publish/bulk/...`): the body is a JSON array of entries.
        var bulk = false
        var pubsubName: String
        var topic: String
        var body: [UInt8]
        var metadata: [String: String]
        var traceParent: String
        var traceState: String
    }

    private func readPublish(_ request: Request, context: BasicRequestContext) async throws(APIError) -> PublishInput {
        var request = request
        let body: ByteBuffer
        do {
            body = try await request.collectBody(upTo: maxBodySize)
        } catch {
            throw APIError(status: 413, code: "ERR_MALFORMED_REQUEST", message: "request body is larger than \(maxBodySize) bytes (--max-body-size)")
        }
        var metadata: [String: String] = [:]
        for (key, value) in request.uri.queryParameters where key.hasPrefix("metadata.") {
            metadata[String(key.dropFirst("metadata.".count))] = String(value)
        }
        return PublishInput(
            pubsubName: try PathParameter.decode(context.parameters.get("pubsub") ?? "", name: "pub/sub name"),
            topic: try PathParameter.decode(context.parameters.getCatchAll().joined(separator: "/"), name: "topic", allowingSlash: true),
            body: Array(buffer: body),
            metadata: metadata,
            traceParent: request.headers[traceParentField] ?? "",
            traceState: request.headers[traceStateField] ?? "")
    }

    /// `POST /v1.0/publish/{pubsub}/{topic}`: topics may contain `/`.
    func publish(_ request: Request, context: BasicRequestContext) async -> Response {
        do throws(APIError) {
            let input = try await readPublish(request, context: context)
            if let error = await publish(input, contentType: request.headers[.contentType]) { return error.response }
            return .noContent
        } catch {
            return error.response
        }
    }

    /// Publishes what one request asked for; nil when it was published (204), else the error
    /// to answer. Shared by the router and ``PublishFastPath``.
    func publish(_ input: PublishInput, contentType: String?) async -> APIError? {
        let publishRequest = Publisher.Request(
            pubsubName: input.pubsubName, topic: input.topic, data: input.body,
            contentType: contentType, metadata: input.metadata,
            traceParent: input.traceParent, traceState: input.traceState)
        do throws(PublishError) {
            try await dependencies.publisher.publish(publishRequest)
            return nil
        } catch {
            return APIError(error)
        }
    }

    /// `POST /v1.0-alpha1/publish/bulk/{pubsub}/{topic}`: 204 when every entry was published,
    /// else 500 with the failed entries.
    func bulkPublish(_ request: Request, context: BasicRequestContext) async -> Response {
        do throws(APIError) {
            let input = try await readPublish(request, context: context)
            guard let answer = await bulkPublish(input) else { return .noContent }
            return Response.json(status: answer.status, answer.body)
        } catch {
            return error.response
        }
    }

    /// A JSON answer other than `204`: an ``APIError``'s, or a bulk publish's failed entries.
    struct JSONAnswer {
        var status: Int
        var body: [UInt8]

        init(status: Int, body: [UInt8]) {
            self.status = status
            self.body = body
        }

        init(_ error: APIError) {
            self.init(status: error.status, body: error.body)
        }
    }

    /// Publishes the entries of a bulk publish; nil when every one was published (204), else
    /// what to answer: 500 with the failed entries, or the error that refused them all. Shared
    /// by the router and ``PublishFastPath``.
    func bulkPublish(_ input: PublishInput) async -> JSONAnswer? {
        do throws(APIError) {
            let entries: [Publisher.BulkEntry]
            do throws(BulkPublishBodyError) {
                entries = try BulkPublishBody.parse(input.body, metadata: input.metadata)
            } catch {
                throw APIError(status: 400, code: "ERR_PUBSUB_EVENTS_SER", message: error.message)
            }
            let failures: [Publisher.BulkFailure]
            do throws(PublishError) {
                failures = try await dependencies.publisher.bulkPublish(
                    pubsubName: input.pubsubName, topic: input.topic, traceParent: input.traceParent, traceState: input.traceState, entries: entries)
            } catch {
                if case .malformed(let text) = error { throw APIError(status: 400, code: "ERR_PUBSUB_EVENTS_SER", message: text) }
                throw APIError(error)
            }
            guard !failures.isEmpty else { return nil }
            var body: [UInt8] = Array(#"{"failedEntries":["#.utf8)
            for (index, failure) in failures.enumerated() {
                if index > 0 { body.append(UInt8(ascii: ",")) }
                body.append(contentsOf: #"{"entryId":"#.utf8)
                JSONText.appendString(failure.entryID, to: &body)
                body.append(contentsOf: #","error":"#.utf8)
                JSONText.appendString(failure.error, to: &body)
                body.append(UInt8(ascii: "}"))
            }
            body.append(contentsOf: #"],"errorCode":"ERR_PUBSUB_PUBLISH_MESSAGE"}"#.utf8)
            return JSONAnswer(status: 500, body: body)
        } catch {
            return JSONAnswer(error)
        }
    }
}

let traceParentField = HTTPField.Name("traceparent")!
let traceStateField = HTTPField.Name("tracestate")!
