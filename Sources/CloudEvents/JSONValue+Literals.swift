extension JSONValue: ExpressibleByStringLiteral {
    /// A `.string` from a literal.
    public init(stringLiteral value: String) { self = .string(value) }
}

extension JSONValue: ExpressibleByIntegerLiteral {
    /// A `.number` from an integer literal.
    public init(integerLiteral value: Int) { self.init(value) }
}

extension JSONValue: ExpressibleByFloatLiteral {
    /// A `.number` from a floating-point literal.
    public init(floatLiteral value: Double) { self.init(value) }
}

extension JSONValue: ExpressibleByBooleanLiteral {
    /// A `.bool` from a literal.
    public init(booleanLiteral value: Bool) { self = .bool(value) }
}

extension JSONValue: ExpressibleByArrayLiteral {
    /// An `.array` from a literal.
    public init(arrayLiteral elements: JSONValue...) { self = .array(elements) }
}

extension JSONValue: ExpressibleByDictionaryLiteral {
    /// An `.object` from a literal, members in literal order.
    public init(dictionaryLiteral elements: (String, JSONValue)...) {
        self = .object(JSONObject(elements.map { (key: $0.0, value: $0.1) }))
    }
}

extension JSONValue {
    /// A `.number` holding the integer's decimal text.
    public init(_ value: Int) { self = .number(String(value)) }

    /// A `.number` holding the shortest text that reads back as `value`.
    ///
    /// JSON has no infinities or NaN, so those become `.null` rather than
    /// producing text no reader would accept.
    public init(_ value: Double) {
        self = value.isFinite ? .number(value.description) : .null
    }
}
