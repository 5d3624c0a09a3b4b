/// Whether a broker may deliver an already acknowledged message again (`config.duplicates`).
public enum DuplicatePolicy: String, Sendable {
    /// An acknowledged message is never delivered again: one duplicate fails the step.
    case forbidden
    /// The broker is at-least-once with duplicates: they are counted and reported, and fail the
    /// step only past ``bound(messages:)``.
    case allowed

    /// The most duplicates tolerated among `messages` checked messages when they are allowed:
    /// half of them, so a broker that hands every message out twice still fails.
    public static func bound(messages: Int) -> Int { messages / 2 }

    /// Why `duplicates` second deliveries among `messages` fail the step; `nil` when they do not.
    func violation(duplicates: Int, messages: Int, examples: [String]) -> String? {
        guard duplicates > 0 else { return nil }
        switch self {
        case .forbidden:
            return "\(duplicates) deliveries of already acknowledged messages, e.g. \(examples.prefix(3)) (set config.duplicates: allowed if the broker is at-least-once with duplicates)"
        case .allowed where duplicates > Self.bound(messages: messages):
            return "\(duplicates) duplicate deliveries of \(messages) messages, more than the \(Self.bound(messages: messages)) tolerated with config.duplicates: allowed"
        case .allowed:
            return nil
        }
    }
}
