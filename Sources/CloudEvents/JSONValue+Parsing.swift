extension JSONValue {
    /// Parses one JSON document (RFC 8259; surrounding whitespace allowed, nothing else after it).
    ///
    /// Contiguous inputs (`[UInt8]`, slices, `UnsafeRawBufferPointer`, NIO's
    /// readable bytes view) are read in place; anything else is copied once first.
    public init(parsing bytes: some Collection<UInt8>) throws(JSONParseError) {
        let result = bytes.withContiguousStorageIfAvailable { buffer in
            Result { () throws(JSONParseError) in try JSONParser.parseDocument(buffer) }
        }
        if let result {
            self = try result.get()
        } else {
            self = try Array(bytes).withUnsafeBufferPointer { (buffer) throws(JSONParseError) in
                try JSONParser.parseDocument(buffer)
            }
        }
    }

    /// Parses JSON held in a `String` (convenient in tests and configuration).
    public init(parsing text: String) throws(JSONParseError) {
        try self.init(parsing: Array(text.utf8))
    }
}
