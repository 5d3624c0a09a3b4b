import CloudEvents

/// libFuzzer entry point: the bytes are a CloudEvent or envelope handed to the sidecar by an app
/// (publish with `application/cloudevents+json`, batch mode, binary mode) or read from a broker.
///
/// Every decoder must either return a value or throw a `CloudEventDecodingError`; a trap is the
/// bug this target looks for. Two invariants are checked as well: an event that decodes writes
/// itself back as bytes that decode again, and any JSON text that parses serializes to JSON that
/// parses.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzCloudEvent(_ start: UnsafePointer<UInt8>?, _ count: Int) -> CInt {
    let bytes = start.map { Array(UnsafeBufferPointer(start: $0, count: count)) } ?? []
    if let event = try? CloudEvent(structured: bytes) {
        requireRoundTrip(event)
    }
    if let event = try? CloudEvent(structured: bytes, lenient: true) {
        requireRoundTrip(event)
        _ = event.binaryModeHeaders()
        _ = event.isExpired()
    }
    if let event = try? Envelope.fromPublished(bytes, topic: "orders", pubsubName: "pubsub", traceParent: "", traceState: "") {
        requireRoundTrip(event)
    }
    if let events = try? CloudEvent.decodeBatch(bytes) {
        _ = try? CloudEvent.decodeBatch(CloudEvent.batchBytes(events))
    }
    if let value = try? JSONValue(parsing: bytes) {
        guard (try? JSONValue(parsing: value.serialized())) != nil else {
            fatalError("a parsed JSON value serialized to text that does not parse")
        }
    }
    _ = Envelope.wrap(
        data: bytes, dataContentType: "application/json", id: nil, source: nil, type: nil, subject: nil,
        topic: "orders", pubsubName: "pubsub", traceParent: "", traceState: "", now: "2026-01-01T00:00:00Z")
    decodeBinaryMode(bytes)
    return 0
}

/// An event the decoder accepted must survive being written and read again.
private func requireRoundTrip(_ event: CloudEvent) {
    let written = event.structuredBytes()
    guard (try? CloudEvent(structured: written, lenient: true)) != nil else {
        fatalError("a decoded CloudEvent wrote bytes that do not decode: \(String(decoding: written, as: UTF8.self))")
    }
    if let time = event.time { _ = CloudEventTime.parse(time) }
}

/// Binary content mode: header lines `name: value` up to the first empty line, then the body.
private func decodeBinaryMode(_ bytes: [UInt8]) {
    let newline = UInt8(ascii: "\n")
    guard let split = bytes.indices.dropLast().first(where: { bytes[$0] == newline && bytes[$0 + 1] == newline }) else { return }
    var headers: [(name: String, value: String)] = []
    for line in bytes[..<split].split(separator: newline) {
        guard let colon = line.firstIndex(of: UInt8(ascii: ":")) else { continue }
        headers.append((String(decoding: line[..<colon], as: UTF8.self), String(decoding: line[(colon + 1)...], as: UTF8.self)))
    }
    _ = try? CloudEvent(binaryModeHeaders: headers, body: Array(bytes[(split + 2)...]))
}
