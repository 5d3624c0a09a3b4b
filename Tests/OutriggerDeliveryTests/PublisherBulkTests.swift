import CloudEvents
import OutriggerCore
import OutriggerDelivery
import OutriggerTesting
import Testing

/// The bulk path makes, entry by entry, exactly what a single publish of that entry makes (the
/// envelope template writes the common case itself), and reports failures per entry.
@Suite("Publisher: bulk publish")
struct PublisherBulkTests {
    static let traceParent = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"

    func publisher(_ broker: any PubSub = FakePubSub(), appID: String = "orders") -> Publisher {
        let spec = ComponentSpec(name: "pubsub", type: "pubsub.fake", origin: ResourceOrigin(file: "c.yaml", document: 1))
        return Publisher(appID: appID, components: LoadedComponents([.init(spec: spec, component: broker)]))
    }

    func entry(_ id: String, _ data: String, _ contentType: String?, _ metadata: [String: String] = [:]) -> Publisher.BulkEntry {
        Publisher.BulkEntry(entryID: id, data: Array(data.utf8)[...], contentType: contentType, metadata: metadata)
    }

    /// Checks that the bulk path's message for each entry is the single publish's, byte for
    /// byte once the fresh id and time (and a TTL's expiry) are set alike.
    func expectSameAsSinglePublish(_ entries: [Publisher.BulkEntry], publisher: Publisher, topic: String = "orders", traceState: String = "k=v") {
        let bulk = publisher.messages(for: entries, pubsubName: "pubsub", topic: topic, traceParent: Self.traceParent, traceState: traceState)
        var next = 0
        for entry in entries {
            let request = Publisher.Request(
                pubsubName: "pubsub", topic: topic, data: Array(entry.data), contentType: entry.contentType,
                metadata: entry.metadata, traceParent: Self.traceParent, traceState: traceState)
            let single: OutgoingMessage
            do throws(PublishError) {
                single = try publisher.message(for: request)
            } catch {
                #expect(bulk.failures.contains { $0.entryID == entry.entryID && $0.error == error.description }, "\(entry.entryID)")
                continue
            }
            guard next < bulk.messages.count, bulk.entryIDs[next] == entry.entryID else {
                Issue.record("entry \(entry.entryID) has no message")
                continue
            }
            let message = bulk.messages[next]
            next += 1
            #expect(message.topic == single.topic && message.contentType == single.contentType && message.metadata == single.metadata)
            guard single.contentType == ContentType.cloudEventJSON else {
                #expect(message.data == single.data, "\(entry.entryID)")
                continue
            }
            do {
                let made = try CloudEvent(structured: message.data)
                let expected = try CloudEvent(structured: single.data)
                // Byte for byte, once the fresh attributes are the bulk message's (data is written
                // as the app sent it in both, so re-encoding either could only blur a difference).
                var aligned = single.data
                for (key, singleValue, madeValue) in [("id", expected.id, made.id), ("time", expected.time, made.time), ("expiration", expected.expiration, made.expiration)] {
                    guard let singleValue, let madeValue, singleValue != madeValue else { continue }
                    aligned = Self.replacing(Array("\"\(key)\":\"\(singleValue)\"".utf8), with: Array("\"\(key)\":\"\(madeValue)\"".utf8), in: aligned)
                }
                #expect(aligned == message.data, "\(entry.entryID): \(String(decoding: message.data, as: UTF8.self))")
            } catch {
                Issue.record("\(entry.entryID): \(error)")
            }
        }
        #expect(next == bulk.messages.count)
    }

    /// `bytes` with the first occurrence of `target` replaced by `replacement`.
    static func replacing(_ target: [UInt8], with replacement: [UInt8], in bytes: [UInt8]) -> [UInt8] {
        guard target.count <= bytes.count else { return bytes }
        for start in 0...(bytes.count - target.count) where bytes[start..<start + target.count].elementsEqual(target) {
            return Array(bytes[..<start]) + replacement + Array(bytes[(start + target.count)...])
        }
        return bytes
    }

    @Test("every kind of entry gets the envelope a single publish of it gets")
    func sameEnvelopes() {
        let cloudEvent = #"{"specversion":"1.0","id":"e1","source":"app","type":"t","data":{"x":1}}"#
        expectSameAsSinglePublish([
            entry("json", #"{"orderId": 7, "tags": ["a", "\"b\""]}"#, "application/json"),
            entry("spaced", " \n[1, 2]\t", "application/json"),
            entry("string literal", #""hello""#, "application/json"),
            entry("not json", "{oops", "application/json"),
            entry("empty json", "", "application/json"),
            entry("params", "true", "Application/JSON; charset=utf-8"),
            entry("problem", #"{"title": "x"}"#, "application/problem+json"),
            entry("quoted type", "1", #"application/x"y+json"#),
            entry("text", "plain \"text\"", "text/plain"),
            entry("no type", "bytes", nil),
            entry("binary", "\u{1}\u{2}", "application/octet-stream"),
            entry("cloudevent", cloudEvent, "application/cloudevents+json"),
            entry("bad cloudevent", "[1]", "application/cloudevents+json"),
            entry("raw", #"{"a": 1}"#, "application/json", ["rawPayload": "true"]),
            entry("raw upper", #"{"a": 1}"#, "application/json", ["RAWPAYLOAD": "True"]),
            entry("raw false", #"{"a": 1}"#, "application/json", ["rawPayload": "false"]),
            entry("ttl", #"{"a": 1}"#, "application/json", ["ttlInSeconds": "60"]),
            entry("bad ttl", #"{"a": 1}"#, "application/json", ["TTLInSeconds": "abc"]),
            entry("override", #"{"a": 1}"#, "application/json", ["cloudevent.type": "order.created", "CloudEvent.Source": "billing"]),
            entry("plain metadata", #"{"a": 1}"#, "application/json", ["partitionKey": "k", "cloudevent": "x"]),
        ], publisher: publisher())
    }

    @Test("attributes with characters JSON escapes, and an app id left empty, are written as the codec writes them")
    func escapedAttributes() {
        let entries = [entry("1", #"{"a": 1}"#, "application/json"), entry("2", "[]", "application/json")]
        expectSameAsSinglePublish(entries, publisher: publisher(appID: ""), topic: "or\"ders/é\u{1}", traceState: "a=\"b\"\\")
    }

    @Test("the entries of parsed bodies, including hostile variations of the fuzz corpus, get single-publish envelopes")
    func parsedBodies() throws {
        let publisher = publisher()
        var mutator = InputMutator(seed: 0xB01C_0002, seeds: InputMutator.corpus("FuzzBulkPublish"))
        var checked = 0
        for _ in 0..<300 {
            guard let entries = try? BulkPublishBody.parse(mutator.next(), metadata: [:]) else { continue }
            let unique = Dictionary(entries.map { ($0.entryID, $0) }, uniquingKeysWith: { first, _ in first })
            expectSameAsSinglePublish(Array(unique.values), publisher: publisher)
            checked += unique.count
        }
        #expect(checked > 0)
    }

    @Test("every body of the fuzz corpus as it is, among them the inputs the fuzzer found, gets single-publish envelopes")
    func corpusBodies() throws {
        let publisher = publisher()
        var checked = 0
        for body in InputMutator.corpus("FuzzBulkPublish") {
            guard let entries = try? BulkPublishBody.parse(body, metadata: [:]) else { continue }
            let unique = Dictionary(entries.map { ($0.entryID, $0) }, uniquingKeysWith: { first, _ in first })
            expectSameAsSinglePublish(Array(unique.values), publisher: publisher)
            checked += unique.count
        }
        #expect(checked > 0)
    }

    @Test("an entry that cannot be wrapped fails alone; the others reach the component in one batch")
    func failsAlone() async throws {
        let broker = FakePubSub()
        let failures = try await publisher(broker).bulkPublish(pubsubName: "pubsub", topic: "orders", entries: [
            entry("1", "{}", "application/json"),
            entry("2", "{}", "application/json", ["ttlInSeconds": "-1"]),
            entry("3", "x", "text/plain"),
        ])
        #expect(failures.map(\.entryID) == ["2"])
        #expect(failures[0].error.contains("ttlInSeconds"))
        #expect(broker.published.count == 2)
    }

    @Test("when the component fails the batch, every entry is reported")
    func componentFails() async throws {
        let broker = FakePubSub()
        broker.failPublishes("broker down")
        let failures = try await publisher(broker).bulkPublish(pubsubName: "pubsub", topic: "orders", entries: [
            entry("1", "{}", "application/json"), entry("2", "{}", "application/json"),
        ])
        #expect(failures.map(\.entryID) == ["1", "2"])
        #expect(failures.allSatisfy { $0.error.contains("broker down") })
    }

    @Test("an empty or repeated entryId refuses the whole request, and nothing is published", arguments: [
        ["1", ""], ["1", "2", "1"],
    ])
    func badIDs(_ ids: [String]) async throws {
        let broker = FakePubSub()
        await #expect(throws: PublishError.self) {
            try await publisher(broker).bulkPublish(pubsubName: "pubsub", topic: "orders", entries: ids.map { entry($0, "{}", "application/json") })
        }
        #expect(broker.published.isEmpty)
    }

    @Test("every envelope of a batch carries the request's trace context")
    func traceContext() async throws {
        let broker = FakePubSub()
        _ = try await publisher(broker).bulkPublish(
            pubsubName: "pubsub", topic: "orders", traceParent: Self.traceParent, traceState: "k=v",
            entries: [entry("1", "{}", "application/json"), entry("2", "x", "text/plain")])
        let events = try broker.published.map { try CloudEvent(structured: $0.data) }
        #expect(events.count == 2)
        #expect(events.allSatisfy { $0.traceParent?.contains("0af7651916cd43dd8448eb211c80319c") == true && $0.traceState == "k=v" })
        #expect(Set(events.map(\.id)).count == 2)
    }
}
