extension CloudEvent {
    /// Binary content mode: `ce-<attr>` headers (values as strings) + `Content-Type` = datacontenttype; body = data bytes (see ``binaryModeBody``).
    ///
    /// Values are percent-encoded where the HTTP binding requires it. Extension
    /// values that are not strings are sent as their JSON text; `null` ones are
    /// left out.
    public func binaryModeHeaders() -> [(name: String, value: String)] {
        var headers: [(name: String, value: String)] = []
        headers.reserveCapacity(8 + extensions.count)
        func add(_ attribute: String, _ value: String?) {
            if let value { headers.append(("ce-" + attribute, HeaderValueCoding.encode(value))) }
        }
        add("specversion", specVersion)
        add("id", id)
        add("source", source)
        add("type", type)
        if let dataContentType { headers.append(("Content-Type", dataContentType)) }
        add("dataschema", dataSchema)
        add("subject", subject)
        add("time", time)
        for (key, value) in extensions.members where !Self.isReservedAttribute(key) {
            switch value {
            case .null: continue
            case .string(let text): add(key, text)
            case .number(let text): add(key, text)
            case .bool(let flag): add(key, flag ? "true" : "false")
            case .array, .object: add(key, value.jsonText)
            }
        }
        return headers
    }

    /// The HTTP body of binary content mode: the payload bytes, unwrapped.
    public var binaryModeBody: [UInt8] { data.bytes }

    /// Reads a binary-mode event; accepts `ce-` and `ce_` prefixes, case-insensitive.
    ///
    /// Header values become string attributes. The body is typed by
    /// `Content-Type`: valid JSON under a JSON type → `.json`, UTF-8 under a
    /// JSON or text type → `.text`, anything else → `.binary`; an empty body is
    /// `.none`. Without a `Content-Type`, a JSON body is `.json`.
    public init(binaryModeHeaders headers: [(name: String, value: String)], body: [UInt8]) throws(CloudEventDecodingError) {
        var attributes: [String: String] = [:]
        var extensions: [(key: String, value: JSONValue)] = []
        var contentType: String?
        for (name, value) in headers {
            let lowered = name.lowercased()
            if lowered == "content-type" {
                contentType = value
                continue
            }
            guard lowered.hasPrefix("ce-") || lowered.hasPrefix("ce_") else { continue }
            let attribute = String(lowered.dropFirst(3))
            guard !attribute.isEmpty, attribute != "data", attribute != "data_base64" else { continue }
            let decoded = HeaderValueCoding.decode(value)
            if Self.isReservedAttribute(attribute) {
                attributes[attribute] = decoded
            } else {
                extensions.append((attribute, .string(decoded)))
            }
        }
        func required(_ name: String) throws(CloudEventDecodingError) -> String {
            guard let value = attributes[name] else {
                throw CloudEventDecodingError(reason: "missing required header 'ce-\(name)'")
            }
            return value
        }
        let dataContentType = contentType ?? attributes["datacontenttype"]
        self.init(
            id: try required("id"), source: try required("source"), type: try required("type"),
            specVersion: try required("specversion"), dataContentType: dataContentType,
            dataSchema: attributes["dataschema"], subject: attributes["subject"], time: attributes["time"],
            data: Self.binaryModeData(body, contentType: dataContentType), extensions: JSONObject(extensions))
    }

    private static func binaryModeData(_ body: [UInt8], contentType: String?) -> CloudEventData {
        if body.isEmpty { return .none }
        guard let contentType else { return JSONText.isValid(body) ? .json(body) : .binary(body) }
        let isJSON = ContentType.isJSON(contentType)
        if isJSON && JSONText.isValid(body) { return .json(body) }
        if isJSON || ContentType.isText(contentType), let text = String(validating: body, as: UTF8.self) {
            return .text(text)
        }
        return .binary(body)
    }
}
