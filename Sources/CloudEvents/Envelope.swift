/// Dapr's rules for turning a published payload into the CloudEvent that goes
/// to the broker (`NewCloudEventsEnvelope`, `FromCloudEvent`, `FromRawPayload`).
///
/// Subscribers compare these envelopes with what a Go Dapr sidecar produces, so
/// defaults and attribute choices follow Dapr exactly.
public enum Envelope {
    /// `type` when the publisher gives none.
    public static let defaultType = "com.dapr.event.sent"
    /// `source` when the publisher gives none.
    public static let defaultSource = "Dapr"
    /// `datacontenttype` when the publisher gives none.
    public static let defaultDataContentType = "text/plain"

    /// Dapr's NewCloudEventsEnvelope: id = new UUID (lowercase) when nil/empty; source default "Dapr" when empty;
    /// type default; datacontenttype default text/plain; data: JSON content type → .json(bytes trimmed of surrounding whitespace) if valid JSON, else .text(String(decoding: utf8));
    /// binary content type → .binary; anything else → .text. Extensions set in this order: topic, pubsubname, traceid (= traceparent), traceparent, tracestate; time = now (RFC 3339, UTC, "Z"). subject only if non-empty.
    public static func wrap(
        data: [UInt8], dataContentType: String?, id: String?, source: String?, type: String?, subject: String?,
        topic: String, pubsubName: String, traceParent: String, traceState: String,
        now: String = CloudEventTime.now()
    ) -> CloudEvent {
        let contentType = nonEmpty(dataContentType) ?? defaultDataContentType
        let extensions = JSONObject(uniqueMembers: [
            ("topic", .string(topic)),
            ("pubsubname", .string(pubsubName)),
            ("traceid", .string(traceParent)),
            ("traceparent", .string(traceParent)),
            ("tracestate", .string(traceState)),
        ])
        return CloudEvent(
            id: nonEmpty(id) ?? newID(), source: nonEmpty(source) ?? defaultSource,
            type: nonEmpty(type) ?? defaultType, specVersion: "1.0", dataContentType: contentType,
            subject: nonEmpty(subject), time: now, data: payload(data, contentType: contentType),
            extensions: extensions)
    }

    /// How Dapr stores a payload: JSON stays JSON only if it parses (Dapr falls
    /// back to a string rather than rejecting the publish).
    static func payload(_ data: [UInt8], contentType: String) -> CloudEventData {
        if ContentType.isJSON(contentType) {
            let trimmed = JSONText.trimmingWhitespace(data)
            if JSONText.isValid(trimmed) { return .json(Array(trimmed)) }
        } else if ContentType.isBinary(contentType) {
            return .binary(data)
        }
        return .text(String(decoding: data, as: UTF8.self))
    }

    /// Dapr's FromCloudEvent: the body already is a CloudEvent. Keep its attributes; time = now if absent; if traceid absent set traceid and traceparent to traceParent; tracestate if absent; topic and pubsubname overwritten; source/type/specversion defaulted when absent; id: if absent, a new UUID. Throws CloudEventDecodingError if the body is not a JSON object.
    ///
    /// Attribute values of the wrong JSON type are tolerated where Dapr passes
    /// them through (numbers and booleans become their text); objects or arrays
    /// in core attributes are rejected because no subscriber could read them, as
    /// is a `data_base64` that is not base64.
    public static func fromPublished(
        _ bytes: [UInt8], topic: String, pubsubName: String, traceParent: String, traceState: String,
        now: String = CloudEventTime.now()
    ) throws(CloudEventDecodingError) -> CloudEvent {
        var (event, missing) = try bytes.withUnsafeBufferPointer { (buffer) throws(CloudEventDecodingError) in
            try CloudEvent.decodeStructured(buffer, range: nil, lenient: true)
        }
        if missing.contains(.id) { event.id = newID() }
        if missing.contains(.source) { event.source = defaultSource }
        if missing.contains(.type) { event.type = defaultType }
        if missing.contains(.specVersion) { event.specVersion = "1.0" }
        if missing.contains(.time) { event.time = now }
        // Presence, not string-ness, decides, exactly like Dapr's map lookup.
        if event.extensions["traceid"] == nil {
            event.traceID = traceParent
            event.traceParent = traceParent
        }
        if event.extensions["tracestate"] == nil { event.traceState = traceState }
        event.topic = topic
        event.pubsubName = pubsubName
        return event
    }

    /// Dapr's FromRawPayload (subscription with rawPayload=true): new UUID id, specversion 1.0, datacontenttype application/octet-stream, source "Dapr", type default, topic, pubsubname, data = .binary(bytes).
    public static func fromRawPayload(_ bytes: [UInt8], topic: String, pubsubName: String) -> CloudEvent {
        CloudEvent(
            id: newID(), source: defaultSource, type: defaultType, specVersion: "1.0",
            dataContentType: ContentType.octetStream, data: .binary(bytes),
            extensions: JSONObject(uniqueMembers: [("topic", .string(topic)), ("pubsubname", .string(pubsubName))]))
    }

    private static func nonEmpty(_ text: String?) -> String? {
        guard let text, !text.isEmpty else { return nil }
        return text
    }
}
