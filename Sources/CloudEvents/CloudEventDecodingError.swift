/// Why bytes or headers could not be read as a CloudEvent.
public struct CloudEventDecodingError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What was wrong, e.g. `"missing required attribute 'id'"`.
    public var reason: String

    /// Creates an error with the given reason.
    public init(reason: String) {
        self.reason = reason
    }

    /// `"invalid CloudEvent: <reason>"`.
    public var description: String {
        "invalid CloudEvent: \(reason)"
    }
}
