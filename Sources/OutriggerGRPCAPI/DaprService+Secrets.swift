import DaprProto
import GRPCCore
import OutriggerCore
import OutriggerDelivery

extension DaprService {
    /// `GetSecret`: the secret's pairs; errors as daprd's gRPC codes.
    func getSecret(_ request: Dapr_Proto_Runtime_V1_GetSecretRequest) async throws -> Dapr_Proto_Runtime_V1_GetSecretResponse {
        let reader = dependencies.secrets
        do throws(SecretReadError) {
            var response = Dapr_Proto_Runtime_V1_GetSecretResponse()
            response.data = try await reader.secret(store: request.storeName, key: request.key, metadata: request.metadata)
            return response
        } catch {
            throw Self.rpcError(error)
        }
    }

    /// `GetBulkSecret`: every secret of the store.
    func getBulkSecret(_ request: Dapr_Proto_Runtime_V1_GetBulkSecretRequest) async throws -> Dapr_Proto_Runtime_V1_GetBulkSecretResponse {
        let reader = dependencies.secrets
        do throws(SecretReadError) {
            var response = Dapr_Proto_Runtime_V1_GetBulkSecretResponse()
            for (name, pairs) in try await reader.bulk(store: request.storeName, metadata: request.metadata) {
                var secret = Dapr_Proto_Runtime_V1_SecretResponse()
                secret.secrets = pairs
                response.data[name] = secret
            }
            return response
        } catch {
            throw Self.rpcError(error)
        }
    }

    static func rpcError(_ error: SecretReadError) -> RPCError {
        let code: RPCError.Code = switch error {
        case .notConfigured: .failedPrecondition
        case .notFound: .invalidArgument
        case .failed: .internalError
        case .denied: .permissionDenied
        }
        return RPCError(code: code, message: "\(error.code): \(error.description)")
    }
}
