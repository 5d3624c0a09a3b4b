import DaprProto
import GRPCCore
import GRPCProtobuf
import SwiftProtobuf

/// `dapr.proto.runtime.v1.Dapr/PublishEvent` answered at once: the request is decoded and an
/// empty answer sent, nothing else. Registered through the router the same way the sidecar's
/// `DaprService` registers its unary methods, so the gap between the two is the sidecar's own work.
struct NoOpDaprService: RegistrableRPCService {
    func registerMethods<Transport: ServerTransport>(with router: inout RPCRouter<Transport>) {
        router.registerHandler(
            forMethod: Dapr_Proto_Runtime_V1_Dapr.Method.PublishEvent.descriptor,
            deserializer: ProtobufDeserializer<Dapr_Proto_Runtime_V1_PublishEventRequest>(),
            serializer: ProtobufSerializer<Google_Protobuf_Empty>()
        ) { request, _ in
            _ = try await ServerRequest(stream: request)
            return StreamingServerResponse(single: ServerResponse(message: Google_Protobuf_Empty()))
        }
    }
}
