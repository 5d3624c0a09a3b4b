import DaprProto
import Foundation
import GRPCCore
import Testing

/// `DAPR_API_TOKEN` on the gRPC API: every call needs `dapr-api-token` metadata.
@Suite("gRPC API token")
struct APITokenTests {
    static let token = "grpc-token-42"

    func metadata(_ token: String?) -> Metadata {
        var metadata: Metadata = [:]
        if let token { metadata.addString(token, forKey: "dapr-api-token") }
        return metadata
    }

    @Test("without dapr-api-token, or with a wrong one, PublishEvent, InvokeBinding, GetSecret and GetMetadata are UNAUTHENTICATED; with it they answer")
    func refusesWithoutToken() async throws {
        let resources = ["pubsub.yaml": Resources.pubsub, "env.yaml": SecretTests.store]
        let environment = ["DAPR_API_TOKEN": Self.token, "OUTRIGGER_GRPC_SECRET_ONE": "1"]
        try await withSidecar(resources: resources, environment: environment) { _, client in
            var publish = Dapr_Proto_Runtime_V1_PublishEventRequest()
            publish.pubsubName = "pubsub"
            publish.topic = "orders"
            publish.data = Data("{}".utf8)
            var binding = Dapr_Proto_Runtime_V1_InvokeBindingRequest()
            binding.name = "nope"
            binding.operation = "create"
            var secret = Dapr_Proto_Runtime_V1_GetSecretRequest()
            secret.storeName = "env"
            secret.key = "ONE"
            let (publishRequest, bindingRequest, secretRequest) = (publish, binding, secret)
            for token in [nil, "wrong"] as [String?] {
                let headers = metadata(token)
                let calls: [(String, @Sendable () async throws -> Void)] = [
                    ("PublishEvent", { _ = try await client.publishEvent(publishRequest, metadata: headers) }),
                    ("InvokeBinding", { _ = try await client.invokeBinding(bindingRequest, metadata: headers) }),
                    ("GetSecret", { _ = try await client.getSecret(secretRequest, metadata: headers) }),
                    ("GetMetadata", { _ = try await client.getMetadata(Dapr_Proto_Runtime_V1_GetMetadataRequest(), metadata: headers) }),
                ]
                for (name, call) in calls {
                    let error = await #expect(throws: RPCError.self, "\(name) with token \(token ?? "none")") { try await call() }
                    #expect(error?.code == .unauthenticated, "\(name) with token \(token ?? "none"): \(String(describing: error))")
                }
            }
            _ = try await client.publishEvent(publish, metadata: metadata(Self.token))
            #expect(try await client.getSecret(secret, metadata: metadata(Self.token)).data == ["ONE": "1"])
        }
    }
}
