import CloudEvents
import Hummingbird
import OutriggerCore
import OutriggerDelivery

extension HTTPAPIServer {
    /// `GET /v1.0/secrets/{store}/{key}` → `{"<name>": "<value>", ...}`, and
    /// `GET /v1.0/secrets/{store}/bulk` → `{"<secret>": {"<name>": "<value>"}, ...}`; request
    /// metadata as `metadata.<key>` query parameters. Errors are Dapr's `{"errorCode","message"}`.
    func getSecret(_ request: Request, context: BasicRequestContext) async -> Response {
        let reader = dependencies.secrets
        let store: String
        let key: String
        do throws(APIError) {
            store = try PathParameter.decode(context.parameters.get("store") ?? "", name: "secret store name")
            key = try PathParameter.decode(context.parameters.get("key") ?? "", name: "secret key", allowingSlash: true)
        } catch {
            return error.response
        }
        var metadata: [String: String] = [:]
        for (name, value) in request.uri.queryParameters where name.hasPrefix("metadata.") {
            metadata[String(name.dropFirst("metadata.".count))] = String(value)
        }
        do throws(SecretReadError) {
            if key == "bulk" {
                let secrets = try await reader.bulk(store: store, metadata: metadata)
                return Response.json(JSONValue.object(JSONObject(secrets.sorted { $0.key < $1.key }.map { ($0.key, Self.pairs($0.value)) })).serialized())
            }
            return Response.json(Self.pairs(try await reader.secret(store: store, key: key, metadata: metadata)).serialized())
        } catch {
            return APIError(status: error.httpStatus, code: error.code, message: error.description).response
        }
    }

    private static func pairs(_ values: [String: String]) -> JSONValue {
        .object(JSONObject(values.sorted { $0.key < $1.key }.map { ($0.key, JSONValue.string($0.value)) }))
    }
}
