extension CloudEvent {
    /// The `topic` extension Dapr stamps on every event it routes.
    public var topic: String? {
        get { extensions["topic"]?.stringValue }
        set { extensions["topic"] = newValue.map(JSONValue.string) }
    }

    /// The `pubsubname` extension: the component the event went through.
    public var pubsubName: String? {
        get { extensions["pubsubname"]?.stringValue }
        set { extensions["pubsubname"] = newValue.map(JSONValue.string) }
    }

    /// The W3C `traceparent` extension.
    public var traceParent: String? {
        get { extensions["traceparent"]?.stringValue }
        set { extensions["traceparent"] = newValue.map(JSONValue.string) }
    }

    /// The W3C `tracestate` extension.
    public var traceState: String? {
        get { extensions["tracestate"]?.stringValue }
        set { extensions["tracestate"] = newValue.map(JSONValue.string) }
    }

    /// The legacy `traceid` extension, which Dapr still fills with the traceparent.
    public var traceID: String? {
        get { extensions["traceid"]?.stringValue }
        set { extensions["traceid"] = newValue.map(JSONValue.string) }
    }

    /// The `expiration` extension (RFC 3339) Dapr sets for message TTLs.
    public var expiration: String? {
        get { extensions["expiration"]?.stringValue }
        set { extensions["expiration"] = newValue.map(JSONValue.string) }
    }

    /// Dapr's `HasExpired`: true only when ``expiration`` is set, parses as
    /// RFC 3339 and lies before `now`. An unparsable expiration never expires,
    /// so a malformed attribute cannot make the sidecar drop messages.
    public func isExpired(now: Double = CloudEventTime.currentSeconds()) -> Bool {
        guard let expiration, !expiration.isEmpty, let deadline = CloudEventTime.parse(expiration) else {
            return false
        }
        return deadline < now
    }
}
