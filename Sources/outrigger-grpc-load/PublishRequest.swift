import DaprProto
import Foundation
import GRPCCore
import GRPCNIOTransportHTTP2Posix

/// The Dapr API client the load runs through: one per HTTP/2 connection.
typealias DaprClient = Dapr_Proto_Runtime_V1_Dapr.Client<HTTP2ClientTransport.Posix>

/// The request every load sends: a 1 KB JSON event, as wrk's body.
enum PublishRequest {
    /// How one request ended.
    enum Outcome: Sendable {
        case answered
        case failed(String)
    }

    /// How long one request may take before it counts as an error.
    static let timeout = Duration.seconds(10)

    static func make(pubsub: String, topic: String) -> Dapr_Proto_Runtime_V1_PublishEventRequest {
        var request = Dapr_Proto_Runtime_V1_PublishEventRequest()
        request.pubsubName = pubsub
        request.topic = topic
        request.data = Data(Array(#"{"orderId": 1, "note": ""#.utf8) + Array(repeating: UInt8(ascii: "x"), count: 990) + Array(#""}"#.utf8))
        request.dataContentType = "application/json"
        return request
    }

    /// Sends `request` once; a failure (any RPC error, or no answer within ``timeout``) is an
    /// outcome, not a thrown error, so one failed request never stops a run.
    static func send(_ request: Dapr_Proto_Runtime_V1_PublishEventRequest, with client: DaprClient) async -> Outcome {
        var options = CallOptions.defaults
        options.timeout = timeout
        do {
            _ = try await client.publishEvent(request, options: options)
            return .answered
        } catch {
            return .failed("\(error)")
        }
    }
}
