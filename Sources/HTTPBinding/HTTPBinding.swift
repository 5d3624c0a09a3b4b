import AsyncHTTPClient
import NIOCore
import NIOHTTP1
import OutriggerCore

/// `bindings.http`: an output binding that calls one HTTP endpoint; each operation is an HTTP
/// method (`create` is `POST`).
///
/// ```yaml
/// spec:
///   type: bindings.http
///   version: v1
///   metadata:
///     - name: url
///       value: http://orders.internal:8080/api
/// ```
///
/// Request metadata `path` is appended to the `url`; every request metadata key that starts with
/// a capital letter is sent as a header. The response body is the binding's answer, with
/// metadata `statusCode`, `status` and every response header. A non-2xx answer fails the
/// invocation unless `errorIfNot2XX` is false. See `docs/components/bindings.http.md`.
public final class HTTPBinding: OutputBinding {
    /// The registry entry for `bindings.http`.
    public static let descriptor = ComponentDescriptor(
        type: "bindings.http",
        summary: "Calls an HTTP endpoint; each operation is an HTTP method"
    ) { metadata in
        try HTTPBinding(metadata: metadata)
    }

    /// The HTTP methods, in Dapr's order; `create` is `POST`.
    public let operations = ["create", "get", "head", "post", "put", "patch", "delete", "options", "trace"]

    private let settings: HTTPBindingMetadata
    private let client: HTTPClient

    /// Checks the metadata and creates the component's own HTTP client (closed by ``close()``).
    public init(metadata: ComponentMetadata) throws {
        settings = try HTTPBindingMetadata(metadata)
        var configuration = HTTPClient.Configuration(
            tlsConfiguration: try settings.tlsConfiguration(component: metadata.name),
            redirectConfiguration: .follow(max: 10, allowCycles: true),  // Go's client: up to 10 redirects
            timeout: .init(connect: .seconds(15))  // Dapr's dial and TLS handshake limit
        )
        // A refused connection or failed handshake fails the invocation at once, as in Dapr;
        // retrying is the resiliency policy's decision, not the component's.
        configuration.connectionPool.retryConnectionEstablishment = false
        client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
    }

    /// Sends one request and answers the response body with `statusCode`, `status` and the
    /// response headers as metadata; throws ``InvalidBindingRequest`` for a request that cannot
    /// be sent and ``ComponentError`` for a failed or (with `errorIfNot2XX`) non-2xx exchange.
    public func invoke(_ request: BindingRequest) async throws -> BindingResponse {
        let outgoing = try OutgoingHTTPRequest(request, metadata: settings)
        let limit = settings.maxResponseBodySize
        do {
            return try await withTimeLimit(settings.responseTimeout) { [client] in
                try await Self.perform(outgoing, client: client, maxBodySize: limit)
            }
        } catch let error as TimeLimitExceeded {
            throw ComponentError(.retriable, "\(outgoing.method) \(outgoing.url): no complete response within \(GoDuration.format(error.limit)) (responseTimeout)")
        } catch let error as HTTPClientError {
            throw Self.translate(error, outgoing)
        } catch let error as ComponentError {
            throw error
        } catch let error as InvalidBindingRequest {
            throw error
        } catch {
            throw ComponentError(.retriable, "\(outgoing.method) \(outgoing.url) failed: \(error)")
        }
    }

    private static func perform(_ outgoing: OutgoingHTTPRequest, client: HTTPClient, maxBodySize: Int?) async throws -> BindingResponse {
        var request = HTTPClientRequest(url: outgoing.url)
        request.method = HTTPMethod(rawValue: outgoing.method)
        for header in outgoing.headers {
            request.headers.add(name: header.name, value: header.value)
        }
        if let body = outgoing.body {
            request.body = .bytes(ByteBuffer(bytes: body))
        }
        let response = try await client.execute(request, deadline: .distantFuture)
        var data: [UInt8] = []
        for try await chunk in response.body {
            if let maxBodySize, data.count + chunk.readableBytes >= maxBodySize {
                // Dapr reads no further than the limit and answers with what it has.
                data.append(contentsOf: chunk.readableBytesView.prefix(maxBodySize - data.count))
                break
            }
            data.append(contentsOf: chunk.readableBytesView)
        }
        if outgoing.errorIfNot2XX, !(200..<300).contains(response.status.code) {
            throw HTTPBindingResponse.failure(method: outgoing.method, url: outgoing.url, status: response.status, body: data)
        }
        return BindingResponse(
            data: data,
            metadata: HTTPBindingResponse.metadata(status: response.status, headers: response.headers),
            contentType: response.headers.first(name: "Content-Type"))
    }

    private static func translate(_ error: HTTPClientError, _ outgoing: OutgoingHTTPRequest) -> any Error {
        switch error {
        case .invalidURL, .emptyHost, .emptyScheme:
            return InvalidBindingRequest("'\(outgoing.url)' (url and path) is not a valid URL")
        case .alreadyShutdown:
            return ComponentError(.terminal, "the binding is closed")
        case .traceRequestWithBody:
            return InvalidBindingRequest("a TRACE request cannot carry a body")
        default:
            return ComponentError(.retriable, "\(outgoing.method) \(outgoing.url) failed: \(error)")
        }
    }

    /// Shuts the HTTP client down; requests still running fail.
    public func close() async throws {
        try await client.shutdown()
    }

    deinit {
        // A component dropped without close() (another component failed start-up) still
        // releases its client; after close() this is a no-op that reports "already shut down".
        _ = client.shutdown() as EventLoopFuture<Void>
    }
}
