/// A CloudEvents 1.0 event with its context attributes as typed properties.
///
/// Extension attributes stay in one ordered ``JSONObject`` so an event read from
/// an app and written to a broker keeps the app's attributes, values and order.
public struct CloudEvent: Sendable, Hashable {
    /// Identifies the event; with ``source`` it must be unique per producer.
    public var id: String
    /// URI-reference of the context in which the event happened.
    public var source: String
    /// Kind of event, e.g. `com.dapr.event.sent`.
    public var type: String
    /// The CloudEvents version; "1.0" for everything this module writes.
    public var specVersion: String
    /// Media type of ``data``, e.g. `application/json`.
    public var dataContentType: String?
    /// URI of the schema ``data`` adheres to.
    public var dataSchema: String?
    /// Subject of the event within ``source``.
    public var subject: String?
    /// When the event happened, RFC 3339.
    public var time: String?
    /// The payload.
    public var data: CloudEventData
    /// Every other attribute (topic, pubsubname, traceparent, tracestate, traceid, expiration, and user extensions), in order.
    ///
    /// Keys that name a core attribute or `data`/`data_base64` are ignored when
    /// the event is written, so they can never produce a duplicate member.
    public var extensions: JSONObject

    /// Creates an event; only the three identifying attributes are required.
    public init(
        id: String, source: String, type: String, specVersion: String = "1.0",
        dataContentType: String? = nil, dataSchema: String? = nil, subject: String? = nil,
        time: String? = nil, data: CloudEventData = .none, extensions: JSONObject = JSONObject()
    ) {
        self.id = id
        self.source = source
        self.type = type
        self.specVersion = specVersion
        self.dataContentType = dataContentType
        self.dataSchema = dataSchema
        self.subject = subject
        self.time = time
        self.data = data
        self.extensions = extensions
    }

    /// True for names the envelope stores outside ``extensions``.
    public static func isReservedAttribute(_ name: String) -> Bool {
        switch name {
        case "specversion", "id", "source", "type", "datacontenttype", "dataschema", "subject", "time",
             "data", "data_base64":
            return true
        default:
            return false
        }
    }
}
