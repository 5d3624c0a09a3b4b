/// Reads request metadata the way daprd's RabbitMQ components do: exact key first, then any
/// key equal ignoring case; empty values count as absent.
struct RequestMetadata: Sendable {
    var values: [String: String]

    init(_ values: [String: String]) { self.values = values }

    subscript(key: String) -> String? {
        if let value = values[key], !value.isEmpty { return value }
        return values.first { $0.key.caseInsensitiveEquals(key) && !$0.value.isEmpty }?.value
    }

    /// `ttlInSeconds` as a message `expiration` in milliseconds; `nil` when absent. Throws the
    /// reason for a value that is not a whole number of seconds, or is negative.
    func expiration() throws(RequestMetadataError) -> String? {
        guard let text = self["ttlInSeconds"] else { return nil }
        guard let seconds = Int(text), seconds >= 0 else {
            throw RequestMetadataError("ttlInSeconds must be a whole, non-negative number of seconds, got '\(text)'")
        }
        return String(seconds * 1000)
    }

    /// `priority` (0...255); `nil` when absent.
    func priority() throws(RequestMetadataError) -> UInt8? {
        guard let text = self["priority"] else { return nil }
        guard let value = Int(text), (0...255).contains(value) else {
            throw RequestMetadataError("priority must be a whole number from 0 to 255, got '\(text)'")
        }
        return UInt8(value)
    }
}

/// A request metadata value that cannot be used.
struct RequestMetadataError: Error, Sendable, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

extension String {
    func caseInsensitiveEquals(_ other: String) -> Bool {
        count == other.count && lowercased() == other.lowercased()
    }
}
