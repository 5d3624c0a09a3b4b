import CloudEvents

/// The `id` of a structured CloudEvent, sent as `Nats-Msg-Id` so the stream drops a message
/// published twice (daprd does the same); `nil` for bytes that are no JSON object with an id
/// (a raw payload).
///
/// Publishing reads it for every message, so the top-level members are scanned without
/// building values (strings and nested containers are skipped byte by byte); an id or topic
/// with escapes, or a body the scan cannot follow, is read with the full JSON parser.
enum CloudEventID {
    static func of(_ data: [UInt8]) -> String? {
        members(data).id
    }

    /// The `Nats-Msg-Id` of `data` published on `subject`: the CloudEvent's id, or
    /// `<id>@<subject>` when the event's `topic` attribute names another subject.
    ///
    /// JetStream drops a message whose id the stream already holds, whatever its subject. A
    /// dead-lettered event is the original CloudEvent (same id, `topic` still the original
    /// topic) published to the dead-letter topic, often a subject of the same stream: with the
    /// bare id the stream dropped it as a duplicate, answered the publish with success, and
    /// the original was acknowledged, so the event was gone.
    static func messageID(of data: [UInt8], subject: String) -> String? {
        let (id, topic) = members(data)
        guard let id else { return nil }
        guard let topic, topic != subject else { return id }
        return id + "@" + subject
    }

    private static func members(_ data: [UInt8]) -> (id: String?, topic: String?) {
        data.withUnsafeBufferPointer { bytes in
            switch scan(bytes) {
            case .scanned(let id, let topic): (id, topic)
            case .unsure: parsed(data)
            }
        }
    }

    private enum Outcome {
        case scanned(id: String?, topic: String?)
        case unsure
    }

    private static func parsed(_ data: [UInt8]) -> (id: String?, topic: String?) {
        guard let event = try? JSONValue(parsing: data), case .object = event else { return (nil, nil) }
        let id = event["id"]?.stringValue.flatMap { $0.isEmpty ? nil : $0 }
        return (id, event["topic"]?.stringValue)
    }

    private static let quote = UInt8(ascii: "\""), backslash = UInt8(ascii: "\\")

    private static func scan(_ bytes: UnsafeBufferPointer<UInt8>) -> Outcome {
        var index = skipSpace(bytes, 0)
        guard index < bytes.count, bytes[index] == UInt8(ascii: "{") else { return .scanned(id: nil, topic: nil) }
        index += 1
        var id: String?
        var topic: String?
        while true {
            index = skipSpace(bytes, index)
            guard index < bytes.count else { return .unsure }
            if bytes[index] == UInt8(ascii: "}") { return .scanned(id: id, topic: topic) }
            guard bytes[index] == quote, let (keyStart, keyEnd, escaped) = string(bytes, index) else { return .unsure }
            index = skipSpace(bytes, keyEnd + 1)
            guard index < bytes.count, bytes[index] == UInt8(ascii: ":") else { return .unsure }
            index = skipSpace(bytes, index + 1)
            let key = escaped ? "" : String(decoding: UnsafeBufferPointer(rebasing: bytes[keyStart..<keyEnd]), as: UTF8.self)
            if key == "id" || key == "topic" {
                guard index < bytes.count, bytes[index] == quote, let (start, end, escapedValue) = string(bytes, index) else { return .unsure }
                if escapedValue { return .unsure }
                let value = String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<end]), as: UTF8.self)
                if key == "id" { id = value.isEmpty ? nil : value } else { topic = value }
            }
            guard let next = skipValue(bytes, index) else { return .unsure }
            index = skipSpace(bytes, next)
            guard index < bytes.count else { return .unsure }
            if bytes[index] == UInt8(ascii: ",") {
                index += 1
            } else {
                return bytes[index] == UInt8(ascii: "}") ? .scanned(id: id, topic: topic) : .unsure
            }
        }
    }

    /// The content range of the string whose opening quote is at `index`, its closing quote's
    /// index, and whether it has escapes.
    private static func string(_ bytes: UnsafeBufferPointer<UInt8>, _ index: Int) -> (Int, Int, Bool)? {
        var position = index + 1
        var escaped = false
        while position < bytes.count {
            switch bytes[position] {
            case quote: return (index + 1, position, escaped)
            case backslash:
                escaped = true
                position += 2
            default: position += 1
            }
        }
        return nil
    }

    /// The index just past the value starting at `index`.
    private static func skipValue(_ bytes: UnsafeBufferPointer<UInt8>, _ index: Int) -> Int? {
        guard index < bytes.count else { return nil }
        switch bytes[index] {
        case quote:
            return string(bytes, index).map { $0.1 + 1 }
        case UInt8(ascii: "{"), UInt8(ascii: "["):
            var depth = 0
            var position = index
            while position < bytes.count {
                switch bytes[position] {
                case quote:
                    guard let (_, end, _) = string(bytes, position) else { return nil }
                    position = end
                case UInt8(ascii: "{"), UInt8(ascii: "["): depth += 1
                case UInt8(ascii: "}"), UInt8(ascii: "]"):
                    depth -= 1
                    if depth == 0 { return position + 1 }
                default: break
                }
                position += 1
            }
            return nil
        default:
            var position = index
            while position < bytes.count, !",}] \t\r\n".utf8.contains(bytes[position]) { position += 1 }
            return position
        }
    }

    private static func skipSpace(_ bytes: UnsafeBufferPointer<UInt8>, _ index: Int) -> Int {
        var position = index
        while position < bytes.count, [0x20, 0x0A, 0x0D, 0x09].contains(bytes[position]) { position += 1 }
        return position
    }
}
