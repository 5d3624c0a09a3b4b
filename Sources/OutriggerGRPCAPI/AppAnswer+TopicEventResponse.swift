import DaprProto
import GRPCCore
import OutriggerDelivery

extension AppAnswer {
    /// A gRPC subscriber's `TopicEventResponse.status`, read as Dapr reads it: SUCCESS (also the
    /// default of an empty answer), RETRY, DROP; an unknown value is retried.
    init(_ status: Dapr_Proto_Runtime_V1_TopicEventResponse.TopicEventResponseStatus) {
        switch status {
        case .success: self = .success
        case .retry: self = .retry("app answered RETRY")
        case .drop: self = .drop("app answered DROP")
        case .UNRECOGNIZED(let value): self = .retry("app answered unknown status \(value)")
        }
    }

    /// A gRPC error from the app's `OnTopicEvent`: UNIMPLEMENTED (the app has no handler for the
    /// topic or route) drops the event, as Dapr does; every other status is retried.
    init(_ error: RPCError) {
        if error.code == .unimplemented {
            self = .drop("app answered gRPC UNIMPLEMENTED: \(error.message)")
        } else {
            self = .retry("app answered gRPC \(error.code): \(error.message)")
        }
    }
}
