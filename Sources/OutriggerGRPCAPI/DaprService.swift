import CloudEvents
import DaprProto
import GRPCCore
import GRPCProtobuf
import Logging
import OutriggerCore
import OutriggerDelivery
import SwiftProtobuf

/// `dapr.proto.runtime.v1.Dapr` as Outrigger serves it.
///
/// Provided: `PublishEvent`, `BulkPublishEvent`, `BulkPublishEventAlpha1`,
/// `SubscribeTopicEventsAlpha1`, `InvokeBinding`, `GetMetadata` and `Shutdown`. Every other
/// method of the service (state, actors, workflows ...) answers UNIMPLEMENTED with a message
/// naming the method, so an SDK call outside pub/sub and bindings fails at once and says why.
public struct DaprService: RegistrableRPCService {
    /// What the service needs from the running sidecar.
    public struct Dependencies: Sendable {
        /// The outbound path shared with the HTTP API.
        public var publisher: Publisher
        /// Where `SubscribeTopicEventsAlpha1` streams live.
        public var streams: StreamingSubscriptions
        /// The `/v1.0/metadata` document, built on request; `GetMetadata` answers the same facts.
        public var metadata: @Sendable () -> JSONValue
        /// Starts a graceful shutdown (`Shutdown`).
        public var requestShutdown: @Sendable () -> Void
        /// The output-binding path shared with the HTTP API.
        public var bindings: BindingInvoker
        /// The secrets path shared with the HTTP API.
        public var secrets: SecretReader

        public init(
            publisher: Publisher, bindings: BindingInvoker, secretScopes: [DaprConfiguration.SecretScope] = [], streams: StreamingSubscriptions,
            metadata: @escaping @Sendable () -> JSONValue, requestShutdown: @escaping @Sendable () -> Void
        ) {
            self.publisher = publisher
            self.bindings = bindings
            self.secrets = SecretReader(components: publisher.components, scopes: secretScopes)
            self.streams = streams
            self.metadata = metadata
            self.requestShutdown = requestShutdown
        }
    }

    typealias Method = Dapr_Proto_Runtime_V1_Dapr.Method

    /// The methods Outrigger provides; every other method of the Dapr service is UNIMPLEMENTED.
    public static let providedMethods: [MethodDescriptor] = [
        Method.PublishEvent.descriptor, Method.BulkPublishEvent.descriptor, Method.BulkPublishEventAlpha1.descriptor,
        Method.SubscribeTopicEventsAlpha1.descriptor, Method.InvokeBinding.descriptor, Method.GetMetadata.descriptor,
        Method.Shutdown.descriptor, Method.GetSecret.descriptor, Method.GetBulkSecret.descriptor,
    ]

    public let dependencies: Dependencies
    let logger: Logger

    public init(dependencies: Dependencies, logger: Logger) {
        self.dependencies = dependencies
        self.logger = logger
    }

    public func registerMethods<Transport: ServerTransport>(with router: inout RPCRouter<Transport>) {
        for descriptor in Dapr_Proto_Runtime_V1_Dapr.Method.descriptors {
            router.registerNotProvided(descriptor)
        }
        router.registerUnary(Method.PublishEvent.descriptor) { request, metadata in
            try await self.publishEvent(request, metadata: metadata)
        }
        for descriptor in [Method.BulkPublishEvent.descriptor, Method.BulkPublishEventAlpha1.descriptor] {
            router.registerUnary(descriptor) { request, metadata in
                try await self.bulkPublishEvent(request, metadata: metadata)
            }
        }
        router.registerUnary(Method.InvokeBinding.descriptor) { request, _ in
            try await self.invokeBinding(request)
        }
        router.registerUnary(Method.GetSecret.descriptor) { request, _ in
            try await self.getSecret(request)
        }
        router.registerUnary(Method.GetBulkSecret.descriptor) { request, _ in
            try await self.getBulkSecret(request)
        }
        router.registerUnary(Method.GetMetadata.descriptor) { (_: Dapr_Proto_Runtime_V1_GetMetadataRequest, _) in
            Dapr_Proto_Runtime_V1_GetMetadataResponse(document: self.dependencies.metadata())
        }
        router.registerUnary(Method.Shutdown.descriptor) { (_: Dapr_Proto_Runtime_V1_ShutdownRequest, _) in
            self.logger.info("shutdown requested through the gRPC API")
            self.dependencies.requestShutdown()
            return Google_Protobuf_Empty()
        }
        router.registerHandler(
            forMethod: Method.SubscribeTopicEventsAlpha1.descriptor,
            deserializer: ProtobufDeserializer<Dapr_Proto_Runtime_V1_SubscribeTopicEventsRequestAlpha1>(),
            serializer: ProtobufSerializer<Dapr_Proto_Runtime_V1_SubscribeTopicEventsResponseAlpha1>()
        ) { request, _ in
            StreamingServerResponse { writer in
                try await self.dependencies.streams.serve(request.messages, writer: writer)
                return [:]
            }
        }
    }
}
