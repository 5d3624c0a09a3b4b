/// Why a JSON document was rejected, and where.
///
/// The offset lets a caller point at the exact byte of a publisher's payload,
/// which is what makes a 400 response actionable.
public struct JSONParseError: Error, Sendable, Equatable, CustomStringConvertible {
    /// Zero-based byte offset of the problem inside the document.
    public var offset: Int
    /// Human-readable cause, e.g. `"leading zeros are not allowed"`.
    public var reason: String

    /// Creates an error for `reason` at byte `offset`.
    public init(offset: Int, reason: String) {
        self.offset = offset
        self.reason = reason
    }

    /// `"invalid JSON at byte <offset>: <reason>"`.
    public var description: String {
        "invalid JSON at byte \(offset): \(reason)"
    }
}
