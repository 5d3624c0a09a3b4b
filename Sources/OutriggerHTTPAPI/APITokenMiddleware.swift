import HTTPTypes
import Hummingbird
import OutriggerCore

/// `DAPR_API_TOKEN`: every call to the HTTP API must carry `dapr-api-token` with the token, or is
/// answered 401 before it is read. `GET /v1.0/healthz` and `/v1.0/healthz/outbound` stay open
/// (matched on the path alone, never on the query), so health probes need no token.
struct APITokenMiddleware<Context: RequestContext>: RouterMiddleware {
    let token: String
    static var openPaths: Set<String> { ["/v1.0/healthz", "/v1.0/healthz/outbound"] }

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        if Self.openPaths.contains(request.uri.path) { return try await next(request, context) }
        guard let given = request.headers[HTTPField.Name(apiTokenHeader)!] else {
            return APIError(status: 401, code: "ERR_UNAUTHORIZED", message: "missing api token: send it in the dapr-api-token header").response
        }
        guard APITokenCheck.matches(given, token) else {
            return APIError(status: 401, code: "ERR_UNAUTHORIZED", message: "authentication error: api token mismatch").response
        }
        return try await next(request, context)
    }
}
