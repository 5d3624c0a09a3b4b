/// Collects the members of one structured-mode event as they are read.
struct StructuredReader {
    let buffer: UnsafeBufferPointer<UInt8>
    let lenient: Bool
    var id: String?
    var source: String?
    var type: String?
    var specVersion: String?
    var dataContentType: String?
    var dataSchema: String?
    var subject: String?
    var time: String?
    var data: Range<Int>?
    var dataBase64: [UInt8]?
    var extensions: [(key: String, value: JSONValue)] = []

    init(buffer: UnsafeBufferPointer<UInt8>, lenient: Bool) {
        self.buffer = buffer
        self.lenient = lenient
    }

    mutating func read(_ key: String, at range: Range<Int>) throws(CloudEventDecodingError) {
        switch key {
        case "id": id = try attribute(key, at: range)
        case "source": source = try attribute(key, at: range)
        case "type": type = try attribute(key, at: range)
        case "specversion": specVersion = try attribute(key, at: range)
        case "datacontenttype": dataContentType = try attribute(key, at: range)
        case "dataschema": dataSchema = try attribute(key, at: range)
        case "subject": subject = try attribute(key, at: range)
        case "time": time = try attribute(key, at: range)
        case "data": data = range
        case "data_base64":
            dataBase64 = nil
            if let text = try attribute(key, at: range) {
                guard let decoded = Base64.decode(text) else {
                    throw CloudEventDecodingError(reason: "data_base64 is not valid base64")
                }
                dataBase64 = decoded
            }
        default:
            extensions.append((key, try value(at: range)))
        }
    }

    func finish() throws(CloudEventDecodingError) -> (event: CloudEvent, missing: CloudEvent.MissingAttributes) {
        var missing: CloudEvent.MissingAttributes = []
        if id == nil { missing.insert(.id) }
        if source == nil { missing.insert(.source) }
        if type == nil { missing.insert(.type) }
        if specVersion == nil { missing.insert(.specVersion) }
        if time == nil { missing.insert(.time) }
        if !lenient {
            for (name, flag) in [("id", .id), ("source", .source), ("type", .type), ("specversion", .specVersion)]
                as [(String, CloudEvent.MissingAttributes)] where missing.contains(flag) {
                throw CloudEventDecodingError(reason: "missing required attribute '\(name)'")
            }
            if data != nil && dataBase64 != nil {
                throw CloudEventDecodingError(reason: "both data and data_base64 are present")
            }
        }
        let object = JSONParser.hasDuplicateKeys(extensions)
            ? JSONObject(extensions) : JSONObject(uniqueMembers: extensions)
        let event = CloudEvent(
            id: id ?? "", source: source ?? "", type: type ?? "", specVersion: specVersion ?? "",
            dataContentType: dataContentType, dataSchema: dataSchema, subject: subject, time: time,
            data: try payload(), extensions: object)
        return (event, missing)
    }

    private func payload() throws(CloudEventDecodingError) -> CloudEventData {
        if let data {
            if buffer[data.lowerBound] == UInt8(ascii: "\""), case .string(let text) = try value(at: data) {
                return .text(text)
            }
            return .json(Array(UnsafeBufferPointer(rebasing: buffer[data])))
        }
        if let dataBase64 { return .binary(dataBase64) }
        return .none
    }

    /// A context attribute's string; `null` means absent.
    private func attribute(_ name: String, at range: Range<Int>) throws(CloudEventDecodingError) -> String? {
        switch try value(at: range) {
        case .string(let text): return text
        case .null: return nil
        case .number(let text) where lenient: return text
        case .bool(let flag) where lenient: return flag ? "true" : "false"
        default: throw CloudEventDecodingError(reason: "attribute '\(name)' must be a string")
        }
    }

    private func value(at range: Range<Int>) throws(CloudEventDecodingError) -> JSONValue {
        do {
            return try JSONParser.parseDocument(buffer, range: range)
        } catch {
            // Unreachable in practice: the member scan already validated this range.
            throw CloudEventDecodingError(reason: error.description)
        }
    }
}
