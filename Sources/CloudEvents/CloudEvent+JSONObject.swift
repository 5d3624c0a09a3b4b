extension CloudEvent {
    /// The whole event as one JSON object value, with `data` parsed (json → its value, text → string, binary → "data_base64" string member). Used by routing-rule evaluation.
    ///
    /// Members come in the same order as ``structuredBytes()`` writes them.
    public var jsonObject: JSONObject {
        var members: [(key: String, value: JSONValue)] = []
        members.reserveCapacity(9 + extensions.count)
        members.append(("specversion", .string(specVersion)))
        members.append(("id", .string(id)))
        members.append(("source", .string(source)))
        members.append(("type", .string(type)))
        if let dataContentType { members.append(("datacontenttype", .string(dataContentType))) }
        if let dataSchema { members.append(("dataschema", .string(dataSchema))) }
        if let subject { members.append(("subject", .string(subject))) }
        if let time { members.append(("time", .string(time))) }
        for member in extensions.members where !Self.isReservedAttribute(member.key) {
            members.append(member)
        }
        if let value = data.jsonValue {
            if case .binary = data {
                members.append(("data_base64", value))
            } else {
                members.append(("data", value))
            }
        }
        return JSONObject(uniqueMembers: members)
    }
}
