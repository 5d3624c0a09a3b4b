import GRPCCore
import GRPCProtobuf
import OutriggerDelivery

/// A Dapr API error as a gRPC status.
///
/// Clients see Dapr's status code, a message that starts with Dapr's `ERR_*` code (what the HTTP
/// API answers as `errorCode`), and a `google.rpc.ErrorInfo` detail in the domain `dapr.io` whose
/// reason is Dapr's `DAPR_*` reason, as Dapr's rich errors carry it (the Python SDK's
/// `DaprGrpcError.error_code()` reads that reason).
public struct DaprRPCError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The gRPC status code, as Dapr answers for the same error.
    public var code: RPCError.Code
    /// Dapr's `ERR_*` code, e.g. `ERR_PUBSUB_NOT_FOUND`.
    public var errorCode: String
    /// Dapr's `ErrorInfo` reason, e.g. `DAPR_PUBSUB_NOT_FOUND`.
    public var reason: String
    public var message: String
    /// `ErrorInfo` metadata.
    public var metadata: [String: String]

    public init(code: RPCError.Code, errorCode: String, reason: String, message: String, metadata: [String: String] = [:]) {
        self.code = code
        self.errorCode = errorCode
        self.reason = reason
        self.message = message
        self.metadata = metadata
    }

    /// A refused publish, with the status Dapr's gRPC API uses for it: FAILED_PRECONDITION when
    /// no pubsub is configured, INVALID_ARGUMENT for a missing or unknown pubsub, an empty topic,
    /// bad metadata or a body that is not a CloudEvent, INTERNAL when the broker refused.
    public init(_ error: PublishError) {
        let (code, reason): (RPCError.Code, String) = switch error {
        case .notConfigured: (.failedPrecondition, "DAPR_PUBSUB_NOT_CONFIGURED")
        case .pubsubEmpty: (.invalidArgument, "DAPR_PUBSUB_NAME_EMPTY")
        case .pubsubNotFound: (.invalidArgument, "DAPR_PUBSUB_NOT_FOUND")
        case .topicEmpty: (.invalidArgument, "DAPR_PUBSUB_TOPIC_NAME_EMPTY")
        case .malformed: (.invalidArgument, "DAPR_PUBSUB_METADATA_DESERIALIZATION")
        case .cloudEventSerialization: (.invalidArgument, "DAPR_PUBSUB_CLOUD_EVENT_CREATION")
        case .publishFailed: (.internalError, "DAPR_PUBSUB_PUBLISH_MESSAGE")
        }
        self.init(code: code, errorCode: error.code, reason: reason, message: error.description)
    }

    public var description: String { "\(errorCode): \(message)" }
}

extension DaprRPCError: RPCErrorConvertible {
    public var rpcErrorCode: RPCError.Code { code }
    public var rpcErrorMessage: String { description }
    /// `grpc-status-details-bin`: a `google.rpc.Status` with the `ErrorInfo`.
    public var rpcErrorMetadata: Metadata {
        GoogleRPCStatus(code: code, message: description, details: [.errorInfo(reason: reason, domain: "dapr.io", metadata: metadata)])
            .rpcErrorMetadata
    }
}
