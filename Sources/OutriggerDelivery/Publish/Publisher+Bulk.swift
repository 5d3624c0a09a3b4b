import CloudEvents
import OutriggerCore

extension Publisher {
    /// One entry of a bulk publish.
    public struct BulkEntry: Sendable {
        public var entryID: String
        /// The entry's bytes: a slice of the request body when ``BulkPublishBody`` read it.
        public var data: ArraySlice<UInt8>
        public var contentType: String?
        /// The request's metadata with the entry's own on top.
        public var metadata: [String: String]
        /// `data` is one JSON value ``BulkPublishBody`` has checked, with no whitespace around
        /// it, so the envelope needs no second look at it.
        var dataIsJSONValue = false

        public init(entryID: String, data: ArraySlice<UInt8>, contentType: String?, metadata: [String: String] = [:]) {
            self.entryID = entryID
            self.data = data
            self.contentType = contentType
            self.metadata = metadata
        }
    }

    /// An entry that was not published, and why.
    public struct BulkFailure: Sendable, Equatable {
        public var entryID: String
        public var error: String
    }

    /// Publishes every entry to one topic in one call to the component's bulk path (the core
    /// falls back to one publish per entry for components without one). Entry ids must be
    /// unique and non-empty; an entry that cannot be wrapped fails alone. One publish span
    /// covers the batch (its parent is `traceParent`); every entry's envelope carries its context.
    public func bulkPublish(
        pubsubName: String, topic: String, traceParent: String = "", traceState: String = "", entries: [BulkEntry]
    ) async throws(PublishError) -> [BulkFailure] {
        let pubsub = try pubsub(pubsubName, topic: topic)
        var seen = Set<String>(minimumCapacity: entries.count)
        for entry in entries {
            guard !entry.entryID.isEmpty else { throw .malformed("every entry needs a non-empty entryId") }
            guard seen.insert(entry.entryID).inserted else { throw .malformed("entryId '\(entry.entryID)' is used twice") }
        }
        let span = publishSpan(pubsubName: pubsubName, topic: topic, traceParent: traceParent, traceState: traceState)
        let batch = messages(for: entries, pubsubName: pubsubName, topic: topic, traceParent: span.traceParent, traceState: span.traceState)
        var failures = batch.failures
        defer { span.end(error: failures.isEmpty ? nil : "\(failures.count) of \(entries.count) entries failed") }
        guard !batch.messages.isEmpty else { return failures }
        do {
            let messages = batch.messages
            let outcome = try await withOutboundPolicy(pubsubName) { try await pubsub.bulkPublish(messages) }
            for failure in outcome {
                failures.append(BulkFailure(entryID: batch.entryIDs[failure.index], error: "\(failure.error)"))
            }
        } catch {
            failures.append(contentsOf: batch.entryIDs.map { BulkFailure(entryID: $0, error: "\(error)") })
        }
        return failures
    }

    /// The messages the broker receives for `entries`, each with its entry's id, and the
    /// entries that cannot be wrapped (bad `ttlInSeconds`, a CloudEvent that is not one).
    ///
    /// Each message is what ``message(for:)`` makes of the entry as a single publish. The common
    /// entry (JSON data under a JSON content type, no `rawPayload`, `ttlInSeconds` or
    /// `cloudevent.*` metadata) is written straight from an ``EnvelopeTemplate`` shared by the
    /// batch; every other entry goes through ``message(for:)`` itself.
    public func messages(
        for entries: [BulkEntry], pubsubName: String, topic: String, traceParent: String, traceState: String
    ) -> (messages: [OutgoingMessage], entryIDs: [String], failures: [BulkFailure]) {
        var messages: [OutgoingMessage] = []
        var entryIDs: [String] = []
        var failures: [BulkFailure] = []
        messages.reserveCapacity(entries.count)
        entryIDs.reserveCapacity(entries.count)
        var template: EnvelopeTemplate?
        var lastContentType: (text: String, isJSON: Bool)?
        for entry in entries {
            var isJSON = false
            if let contentType = entry.contentType {
                if let last = lastContentType, last.text == contentType {
                    isJSON = last.isJSON
                } else {
                    isJSON = ContentType.isJSON(contentType)
                    lastContentType = (contentType, isJSON)
                }
            }
            if isJSON, let contentType = entry.contentType, Self.leavesEnvelopeAlone(entry.metadata) {
                let json = entry.dataIsJSONValue ? entry.data : JSONText.trimmingWhitespace(entry.data)
                if entry.dataIsJSONValue || JSONText.isValid(json) {
                    if template == nil {
                        template = EnvelopeTemplate(source: appID, topic: topic, pubsubName: pubsubName, traceParent: traceParent, traceState: traceState)
                    }
                    let bytes = template!.envelope(dataContentType: contentType, json: json)
                    messages.append(OutgoingMessage(topic: topic, data: bytes, contentType: ContentType.cloudEventJSON, metadata: entry.metadata))
                    entryIDs.append(entry.entryID)
                    continue
                }
            }
            let request = Request(
                pubsubName: pubsubName, topic: topic, data: Array(entry.data), contentType: entry.contentType,
                metadata: entry.metadata, traceParent: traceParent, traceState: traceState)
            do throws(PublishError) {
                messages.append(try message(for: request))
                entryIDs.append(entry.entryID)
            } catch {
                failures.append(BulkFailure(entryID: entry.entryID, error: error.description))
            }
        }
        return (messages, entryIDs, failures)
    }

    /// True when `metadata` holds no key ``message(for:)`` reads to change the envelope
    /// (`rawPayload`, `ttlInSeconds`, `cloudevent.*`, in any case); checked without allocating.
    static func leavesEnvelopeAlone(_ metadata: [String: String]) -> Bool {
        guard !metadata.isEmpty else { return true }
        for key in metadata.keys {
            let utf8 = key.utf8
            if utf8.count == 10 && Self.equalsLowercased(utf8, "rawpayload") { return false }
            if utf8.count == 12 && Self.equalsLowercased(utf8, "ttlinseconds") { return false }
            if utf8.count >= 11 && Self.equalsLowercased(utf8.prefix(11), "cloudevent.") { return false }
        }
        return true
    }

    /// ASCII case-insensitive comparison with a lowercase literal.
    private static func equalsLowercased(_ bytes: some Collection<UInt8>, _ literal: StaticString) -> Bool {
        guard bytes.count == literal.utf8CodeUnitCount else { return false }
        var position = literal.utf8Start
        for byte in bytes {
            let lower = byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z") ? byte + 32 : byte
            guard lower == position.pointee else { return false }
            position += 1
        }
        return true
    }
}
