import GRPCCore
import OutriggerCore

/// `DAPR_API_TOKEN` on the gRPC API: every RPC must carry `dapr-api-token` metadata with the
/// token, or fails `UNAUTHENTICATED` before the service sees it (as daprd answers).
struct APITokenServerInterceptor: ServerInterceptor {
    let token: String

    func intercept<Input: Sendable, Output: Sendable>(
        request: StreamingServerRequest<Input>,
        context: ServerContext,
        next: @Sendable (StreamingServerRequest<Input>, ServerContext) async throws -> StreamingServerResponse<Output>
    ) async throws -> StreamingServerResponse<Output> {
        guard let given = request.metadata[stringValues: apiTokenHeader].first(where: { _ in true }) else {
            throw RPCError(code: .unauthenticated, message: "missing api token in request metadata (dapr-api-token)")
        }
        guard APITokenCheck.matches(given, token) else {
            throw RPCError(code: .unauthenticated, message: "authentication error: api token mismatch")
        }
        return try await next(request, context)
    }
}

/// `APP_API_TOKEN`: every call to a gRPC app carries `dapr-api-token` metadata with the token.
struct AppAPITokenClientInterceptor: ClientInterceptor {
    let token: String

    func intercept<Input: Sendable, Output: Sendable>(
        request: StreamingClientRequest<Input>,
        context: ClientContext,
        next: (StreamingClientRequest<Input>, ClientContext) async throws -> StreamingClientResponse<Output>
    ) async throws -> StreamingClientResponse<Output> {
        var request = request
        request.metadata.replaceOrAddString(token, forKey: apiTokenHeader)
        return try await next(request, context)
    }
}
