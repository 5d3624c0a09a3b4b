import DaprProto
import Foundation
import GRPCCore
import Testing

/// `--max-body-size` on the gRPC API: a message above it is refused without harming other clients.
@Suite("gRPC messages above --max-body-size")
struct OversizedMessageTests {
    @Test("a 2 MB PublishEvent under a 1 MB limit fails and is not published; the same and another client go on publishing")
    func oversizedPublish() async throws {
        try await withSidecar(arguments: ["--max-body-size", "1"]) { sidecar, client in
            let subscriber = try await TestSubscriber.open(client, topic: "sized")
            var big = Dapr_Proto_Runtime_V1_PublishEventRequest()
            big.pubsubName = "pubsub"
            big.topic = "sized"
            big.data = Data(repeating: UInt8(ascii: "x"), count: 2 << 20)
            do {
                _ = try await client.publishEvent(big)
                Issue.record("a message above --max-body-size was accepted")
            } catch let error as RPCError {
                // As daprd (grpc-go): RESOURCE_EXHAUSTED, from the PublishEvent fast path
                // (grpc-swift-nio-transport 2.9 would reset the stream: UNAVAILABLE).
                #expect(error.code == .resourceExhausted, "\(error)")
                #expect(error.message.contains("--max-body-size"), "\(error)")
            }
            var small = big
            small.data = Data(#"{"small":true}"#.utf8)
            small.dataContentType = "application/json"
            _ = try await client.publishEvent(small)
            try await sidecar.withClient { other in _ = try await other.publishEvent(small) }
            let events = try await subscriber.events(2)
            #expect(events.allSatisfy { $0.data == Data(#"{"small":true}"#.utf8) })
            for event in events { subscriber.answer(event, .success) }
            try await subscriber.close()
        }
    }
}
