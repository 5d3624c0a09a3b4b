/// An item of the app's `ListTopicSubscriptions` answer that cannot be used.
public struct TopicSubscriptionError: Error, Sendable, CustomStringConvertible {
    public var index: Int
    public var message: String

    public var description: String { "ListTopicSubscriptions: subscription \(index): \(message)" }
}
