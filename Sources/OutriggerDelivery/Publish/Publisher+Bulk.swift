import OutriggerCore

extension Publisher {
    /// One entry of a bulk publish.
    public struct BulkEntry: Sendable {
        public var entryID: String
        public var request: Request

        public init(entryID: String, request: Request) {
            self.entryID = entryID
            self.request = request
        }
    }

    /// An entry that was not published, and why.
    public struct BulkFailure: Sendable, Equatable {
        public var entryID: String
        public var error: String
    }

    /// Publishes every entry to one topic through the component's bulk path (the core falls back
    /// to one publish per entry for components without one). Entry ids must be unique and
    /// non-empty; an entry that cannot be wrapped fails alone. One publish span covers the batch;
    /// every entry's envelope carries its context (the entries share the request's `traceparent`).
    public func bulkPublish(pubsubName: String, topic: String, entries: [BulkEntry]) async throws(PublishError) -> [BulkFailure] {
        let pubsub = try pubsub(pubsubName, topic: topic)
        var seen: Set<String> = []
        for entry in entries {
            guard !entry.entryID.isEmpty else { throw .malformed("every entry needs a non-empty entryId") }
            guard seen.insert(entry.entryID).inserted else { throw .malformed("entryId '\(entry.entryID)' is used twice") }
        }
        let first = entries.first?.request
        let span = publishSpan(pubsubName: pubsubName, topic: topic, traceParent: first?.traceParent ?? "", traceState: first?.traceState ?? "")
        var failures: [BulkFailure] = []
        defer { span.end(error: failures.isEmpty ? nil : "\(failures.count) of \(entries.count) entries failed") }
        var messages: [OutgoingMessage] = []
        var messageEntries: [String] = []
        messages.reserveCapacity(entries.count)
        for entry in entries {
            var request = entry.request
            (request.traceParent, request.traceState) = (span.traceParent, span.traceState)
            do throws(PublishError) {
                messages.append(try message(for: request))
                messageEntries.append(entry.entryID)
            } catch {
                failures.append(BulkFailure(entryID: entry.entryID, error: error.description))
            }
        }
        guard !messages.isEmpty else { return failures }
        do {
            let batch = messages
            let outcome = try await withOutboundPolicy(pubsubName) { try await pubsub.bulkPublish(batch) }
            for failure in outcome {
                failures.append(BulkFailure(entryID: messageEntries[failure.index], error: "\(failure.error)"))
            }
        } catch {
            failures.append(contentsOf: messageEntries.map { BulkFailure(entryID: $0, error: "\(error)") })
        }
        return failures
    }
}
