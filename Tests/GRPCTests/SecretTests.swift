import DaprProto
import Foundation
import GRPCCore
import Testing

@Suite("GetSecret and GetBulkSecret over gRPC")
struct SecretTests {
    static let store = """
        apiVersion: dapr.io/v1alpha1
        kind: Component
        metadata:
          name: env
        spec:
          type: secretstores.local.env
          version: v1
          metadata:
            - name: prefix
              value: OUTRIGGER_GRPC_SECRET_
        """

    @Test("GetSecret answers the pairs, GetBulkSecret every secret; an unknown store is INVALID_ARGUMENT")
    func secrets() async throws {
        let environment = ["OUTRIGGER_GRPC_SECRET_ONE": "1", "OUTRIGGER_GRPC_SECRET_TWO": "2"]
        try await withSidecar(resources: ["env.yaml": Self.store], environment: environment) { _, client in
            var request = Dapr_Proto_Runtime_V1_GetSecretRequest()
            request.storeName = "env"
            request.key = "ONE"
            #expect(try await client.getSecret(request).data == ["ONE": "1"])

            var bulk = Dapr_Proto_Runtime_V1_GetBulkSecretRequest()
            bulk.storeName = "env"
            let all = try await client.getBulkSecret(bulk).data
            #expect(all.mapValues(\.secrets) == ["ONE": ["ONE": "1"], "TWO": ["TWO": "2"]])

            request.storeName = "nope"
            let error = await #expect(throws: RPCError.self) { try await client.getSecret(request) }
            #expect(error?.code == .invalidArgument)
            #expect(error?.message.contains("ERR_SECRET_STORE_NOT_FOUND") == true)
        }
    }
}
