import DaprProto
import Foundation
import GRPCCore
import OutriggerDelivery
import SwiftProtobuf

extension DaprService {
    /// `PublishEvent`: the same envelope rules as `POST /v1.0/publish` (through ``Publisher``);
    /// `metadata` holds `rawPayload`, `ttlInSeconds`, `cloudevent.*` and broker metadata, and the
    /// `traceparent`/`tracestate` request headers become the event's trace context.
    func publishEvent(_ request: Dapr_Proto_Runtime_V1_PublishEventRequest, metadata: Metadata) async throws -> Google_Protobuf_Empty {
        try await publish(request, traceParent: metadata.firstString("traceparent"), traceState: metadata.firstString("tracestate"))
        return Google_Protobuf_Empty()
    }

    /// `PublishEvent`'s work, for grpc-swift's route and ``PublishEventFastPath`` alike.
    func publish(_ request: Dapr_Proto_Runtime_V1_PublishEventRequest, traceParent: String, traceState: String) async throws(DaprRPCError) {
        let publish = Publisher.Request(
            pubsubName: request.pubsubName, topic: request.topic, data: [UInt8](request.data),
            contentType: request.dataContentType.isEmpty ? nil : request.dataContentType,
            metadata: request.metadata, traceParent: traceParent, traceState: traceState)
        do throws(PublishError) {
            try await dependencies.publisher.publish(publish)
        } catch {
            throw DaprRPCError(error)
        }
    }

    /// `BulkPublishEvent` and `BulkPublishEventAlpha1`: every entry through the component's bulk
    /// path. Entries that fail come back in `failedEntries` with an OK status, as in Dapr; a bad
    /// request (unknown pubsub, missing or repeated entry ids) fails the call.
    func bulkPublishEvent(_ request: Dapr_Proto_Runtime_V1_BulkPublishRequest, metadata: Metadata) async throws -> Dapr_Proto_Runtime_V1_BulkPublishResponse {
        let traceParent = metadata.firstString("traceparent")
        let traceState = metadata.firstString("tracestate")
        let entries = request.entries.map { entry in
            Publisher.BulkEntry(
                entryID: entry.entryID, data: [UInt8](entry.event)[...],
                contentType: entry.contentType.isEmpty ? nil : entry.contentType,
                metadata: entry.metadata.isEmpty ? request.metadata : request.metadata.merging(entry.metadata) { _, entryValue in entryValue })
        }
        let failures: [Publisher.BulkFailure]
        do throws(PublishError) {
            failures = try await dependencies.publisher.bulkPublish(
                pubsubName: request.pubsubName, topic: request.topic, traceParent: traceParent, traceState: traceState, entries: entries)
        } catch {
            if case .malformed(let text) = error {
                throw DaprRPCError(
                    code: .invalidArgument, errorCode: "ERR_PUBSUB_EVENTS_SER", reason: "DAPR_PUBSUB_MARSHAL_EVENTS",
                    message: text, metadata: ["topic": request.topic])
            }
            throw DaprRPCError(error)
        }
        var response = Dapr_Proto_Runtime_V1_BulkPublishResponse()
        response.failedEntries = failures.map { failure in
            var entry = Dapr_Proto_Runtime_V1_BulkPublishResponseFailedEntry()
            entry.entryID = failure.entryID
            entry.error = failure.error
            return entry
        }
        return response
    }
}
