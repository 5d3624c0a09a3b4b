import DaprProto
import Foundation
import GRPCCore
import GRPCProtobuf
import SwiftProtobuf
import Testing

@Suite("gRPC publish, bindings and error codes")
struct PublishTests {
    @Test("PublishEvent wraps the data in Dapr's CloudEvent; a streaming subscriber gets its fields")
    func publishEvent() async throws {
        try await withSidecar(appID: "publisher") { _, client in
            let subscriber = try await TestSubscriber.open(client, topic: "orders")
            var request = Dapr_Proto_Runtime_V1_PublishEventRequest()
            request.pubsubName = "pubsub"
            request.topic = "orders"
            request.data = Data(#"{"order":1,"item":"rope"}"#.utf8)
            request.dataContentType = "application/json"
            request.metadata = ["cloudevent.type": "order.created", "cloudevent.subject": "order-1"]
            var headers: Metadata = [:]
            headers.addString("00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01", forKey: "traceparent")
            _ = try await client.publishEvent(request, metadata: headers)

            let event = try #require(try await subscriber.events(1).first)
            #expect(event.data == Data(#"{"order":1,"item":"rope"}"#.utf8))
            #expect(event.dataContentType == "application/json")
            #expect(event.type == "order.created")
            #expect(event.source == "publisher")
            #expect(event.specVersion == "1.0")
            #expect(event.topic == "orders")
            #expect(event.pubsubName == "pubsub")
            #expect(UUID(uuidString: event.id) != nil)
            #expect(event.extensions.fields["subject"]?.stringValue == "order-1")
            let context = event.extensions.fields["traceparent"]?.stringValue.split(separator: "-") ?? []
            #expect(context.count == 4 && context[1] == "0af7651916cd43dd8448eb211c80319c" && context[2] != "b7ad6b7169203331",
                    "the envelope names the publish span, a child of the caller's: \(context)")
            #expect(event.extensions.fields["topic"]?.stringValue == "orders")
            subscriber.answer(event, .success)
            try await subscriber.close()
        }
    }

    @Test("rawPayload publishes the bytes as they are; text and binary data arrive as bytes")
    func rawPayloadAndTextData() async throws {
        try await withSidecar { _, client in
            let subscriber = try await TestSubscriber.open(client, topic: "raw")
            var raw = Dapr_Proto_Runtime_V1_PublishEventRequest()
            raw.pubsubName = "pubsub"
            raw.topic = "raw"
            raw.data = Data([0, 1, 2, 255])
            raw.metadata = ["rawPayload": "true"]
            _ = try await client.publishEvent(raw)
            var text = raw
            text.data = Data("plain words".utf8)
            text.metadata = [:]
            _ = try await client.publishEvent(text)

            let events = try await subscriber.events(2)
            #expect(events[0].data == Data([0, 1, 2, 255]))
            #expect(events[0].dataContentType == "application/octet-stream")
            #expect(events[1].data == Data("plain words".utf8))
            #expect(events[1].dataContentType == "text/plain")
            for event in events { subscriber.answer(event, .success) }
            try await subscriber.close()
        }
    }

    @Test("BulkPublishEvent and BulkPublishEventAlpha1 publish every entry; none fails")
    func bulkPublish() async throws {
        try await withSidecar { _, client in
            let subscriber = try await TestSubscriber.open(client, topic: "bulk")
            for (round, alpha) in [false, true].enumerated() {
                let request = Dapr_Proto_Runtime_V1_BulkPublishRequest.json(
                    topic: "bulk", (1...3).map { index in ("e\(round)-\(index)", #"{"n":\#(round * 10 + index)}"#) })
                let response = alpha ? try await client.bulkPublishEventAlpha1(request) : try await client.bulkPublishEvent(request)
                #expect(response.failedEntries.isEmpty)
            }
            let events = try await subscriber.events(6)
            let numbers = Set(events.map { String(decoding: $0.data, as: UTF8.self) })
            #expect(numbers == [#"{"n":1}"#, #"{"n":2}"#, #"{"n":3}"#, #"{"n":11}"#, #"{"n":12}"#, #"{"n":13}"#])
            for event in events { subscriber.answer(event, .success) }
            try await subscriber.close()
        }
    }

    @Test("errors carry Dapr's status code, its ERR_ code in the message and its reason in ErrorInfo")
    func errorCodes() async throws {
        try await withSidecar { _, client in
            func publish(_ pubsub: String, _ topic: String, metadata: [String: String] = [:]) async -> RPCError? {
                var request = Dapr_Proto_Runtime_V1_PublishEventRequest()
                request.pubsubName = pubsub
                request.topic = topic
                request.data = Data("x".utf8)
                request.metadata = metadata
                do {
                    _ = try await client.publishEvent(request)
                    return nil
                } catch {
                    return error as? RPCError
                }
            }
            let notFound = try #require(await publish("nope", "orders"))
            #expect(notFound.code == .invalidArgument)
            #expect(notFound.message.hasPrefix("ERR_PUBSUB_NOT_FOUND: "))
            let status = try #require(try notFound.unpackGoogleRPCStatus())
            let info = try #require(status.details.first?.errorInfo, "no ErrorInfo in \(status)")
            #expect(info.reason == "DAPR_PUBSUB_NOT_FOUND")
            #expect(info.domain == "dapr.io")

            let emptyName = try #require(await publish("", "orders"))
            #expect(emptyName.code == .invalidArgument)
            #expect(emptyName.message.hasPrefix("ERR_PUBSUB_EMPTY: "))
            let emptyTopic = try #require(await publish("pubsub", ""))
            #expect(emptyTopic.code == .invalidArgument)
            #expect(emptyTopic.message.hasPrefix("ERR_TOPIC_NAME_EMPTY: "))
            let badTTL = try #require(await publish("pubsub", "orders", metadata: ["ttlInSeconds": "soon"]))
            #expect(badTTL.code == .invalidArgument)
            #expect(badTTL.message.hasPrefix("ERR_PUBSUB_REQUEST_METADATA: "))

            var duplicate = Dapr_Proto_Runtime_V1_BulkPublishRequest()
            duplicate.pubsubName = "pubsub"
            duplicate.topic = "orders"
            var entry = Dapr_Proto_Runtime_V1_BulkPublishRequestEntry()
            entry.entryID = "same"
            entry.event = Data("x".utf8)
            duplicate.entries = [entry, entry]
            let bulkError = await #expect(throws: RPCError.self) { try await client.bulkPublishEvent(duplicate) }
            #expect(bulkError?.code == .invalidArgument)
            #expect(bulkError?.message.hasPrefix("ERR_PUBSUB_EVENTS_SER: ") == true)
        }
    }

    @Test("a sidecar without a pubsub answers FAILED_PRECONDITION with ERR_PUBSUB_NOT_CONFIGURED")
    func notConfigured() async throws {
        try await withSidecar(resources: [:]) { _, client in
            var request = Dapr_Proto_Runtime_V1_PublishEventRequest()
            request.pubsubName = "pubsub"
            request.topic = "orders"
            let error = await #expect(throws: RPCError.self) { try await client.publishEvent(request) }
            #expect(error?.code == .failedPrecondition)
            #expect(error?.message.hasPrefix("ERR_PUBSUB_NOT_CONFIGURED: ") == true)
        }
    }

    @Test("InvokeBinding of an unknown binding fails as in Dapr: INTERNAL, ERR_INVOKE_OUTPUT_BINDING")
    func unknownBinding() async throws {
        try await withSidecar { _, client in
            var request = Dapr_Proto_Runtime_V1_InvokeBindingRequest()
            request.name = "mail"
            request.operation = "create"
            let error = await #expect(throws: RPCError.self) { try await client.invokeBinding(request) }
            #expect(error?.code == .internalError)
            #expect(error?.message == "ERR_INVOKE_OUTPUT_BINDING: error invoking output binding mail: couldn't find output binding mail")
        }
    }

    @Test("InvokeBinding goes through the same invoker as the HTTP API: data and metadata both ways, errors by cause")
    func invokeBinding() async throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("outrigger-grpc-files-\(UUID().uuidString.prefix(8))").path
        defer { try? FileManager.default.removeItem(atPath: root) }
        try await withSidecar(resources: ["files.yaml": Resources.localStorage(root: root)]) { _, client in
            var create = Dapr_Proto_Runtime_V1_InvokeBindingRequest()
            create.name = "files"
            create.operation = "create"
            create.data = Data("bytes as they are".utf8)
            create.metadata = ["fileName": "g.txt"]
            let created = try await client.invokeBinding(create)
            #expect(String(decoding: created.data, as: UTF8.self) == #"{"fileName":"g.txt"}"#)
            var get = Dapr_Proto_Runtime_V1_InvokeBindingRequest()
            get.name = "files"
            get.operation = "get"
            get.metadata = ["fileName": "g.txt"]
            #expect(try await client.invokeBinding(get).data == Data("bytes as they are".utf8))
            var unsupported = get
            unsupported.operation = "exec"
            let refused = await #expect(throws: RPCError.self) { try await client.invokeBinding(unsupported) }
            #expect(refused?.code == .invalidArgument)
            #expect(refused?.message.contains("supported operations: create get list delete") == true)
            var missing = get
            missing.metadata = ["fileName": "none.txt"]
            let failed = await #expect(throws: RPCError.self) { try await client.invokeBinding(missing) }
            #expect(failed?.code == .internalError)
        }
    }

    @Test("a Dapr RPC outside pub/sub and bindings answers UNIMPLEMENTED and names itself")
    func unimplemented() async throws {
        try await withSidecar { _, client in
            var request = Dapr_Proto_Runtime_V1_GetStateRequest()
            request.storeName = "statestore"
            request.key = "k"
            let error = await #expect(throws: RPCError.self) { try await client.getState(request) }
            #expect(error?.code == .unimplemented)
            #expect(error?.message.contains("dapr.proto.runtime.v1.Dapr/GetState is not provided by Outrigger") == true)
        }
    }
}
