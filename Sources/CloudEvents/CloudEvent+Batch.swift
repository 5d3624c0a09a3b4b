extension CloudEvent {
    /// Batch mode (`application/cloudevents-batch+json`): a JSON array of structured events.
    public static func batchBytes(_ events: [CloudEvent]) -> [UInt8] {
        var buffer: [UInt8] = []
        buffer.reserveCapacity(events.reduce(2) { $0 + $1.estimatedStructuredCount + 1 })
        buffer.append(UInt8(ascii: "["))
        for (position, event) in events.enumerated() {
            if position > 0 { buffer.append(UInt8(ascii: ",")) }
            event.writeStructured(into: &buffer)
        }
        buffer.append(UInt8(ascii: "]"))
        return buffer
    }

    /// Decodes a batch-mode array; every element must be a valid structured event.
    ///
    /// Elements are decoded in place from the batch buffer, and an error names
    /// the zero-based index of the offending event.
    public static func decodeBatch(_ bytes: [UInt8]) throws(CloudEventDecodingError) -> [CloudEvent] {
        try bytes.withUnsafeBufferPointer { (buffer) throws(CloudEventDecodingError) in
            let elements: [Range<Int>]
            do throws(JSONParseError) {
                elements = try JSONParser.arrayElements(buffer)
            } catch {
                throw CloudEventDecodingError(reason: error.description)
            }
            var events: [CloudEvent] = []
            events.reserveCapacity(elements.count)
            for (position, range) in elements.enumerated() {
                do throws(CloudEventDecodingError) {
                    events.append(try decodeStructured(buffer, range: range, lenient: false).event)
                } catch {
                    throw CloudEventDecodingError(reason: "event \(position): \(error.reason)")
                }
            }
            return events
        }
    }
}
