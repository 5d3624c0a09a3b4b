import GRPCCore
import GRPCProtobuf
import SwiftProtobuf

extension RPCRouter {
    /// Registers a unary protobuf method whose handler sees the request message and its metadata.
    mutating func registerUnary<Input: SwiftProtobuf.Message & Sendable, Output: SwiftProtobuf.Message & Sendable>(
        _ descriptor: MethodDescriptor,
        _ handler: @escaping @Sendable (Input, Metadata) async throws -> Output
    ) {
        registerHandler(
            forMethod: descriptor,
            deserializer: ProtobufDeserializer<Input>(),
            serializer: ProtobufSerializer<Output>()
        ) { request, _ in
            let single = try await ServerRequest(stream: request)
            let output = try await handler(single.message, single.metadata)
            return StreamingServerResponse(single: ServerResponse(message: output))
        }
    }

    /// Registers a method Outrigger does not provide: it answers UNIMPLEMENTED naming the method,
    /// without reading the request.
    mutating func registerNotProvided(_ descriptor: MethodDescriptor) {
        registerHandler(
            forMethod: descriptor,
            deserializer: ProtobufDeserializer<Google_Protobuf_Empty>(),
            serializer: ProtobufSerializer<Google_Protobuf_Empty>()
        ) { _, _ in
            throw RPCError(
                code: .unimplemented,
                message: "\(descriptor.fullyQualifiedMethod) is not provided by Outrigger, a sidecar for pub/sub and bindings; see docs/grpc-api.md for the RPCs it serves")
        }
    }
}

extension Metadata {
    /// The first text value of `key`, or the empty string.
    func firstString(_ key: String) -> String {
        for value in self[stringValues: key] { return value }
        return ""
    }
}
