/// An MQTT 3.1.1 topic filter, for telling which subscriptions a publish reaches (§4.7):
/// `+` matches one level, a final `#` the rest (and its parent level), and a filter starting
/// with a wildcard matches no topic starting with `$`. A shared subscription
/// `$share/<group>/<filter>` matches as its `<filter>`.
struct TopicFilter: Sendable, Equatable {
    private let levels: [Substring]

    init(_ filter: String) {
        var levels = filter.split(separator: "/", omittingEmptySubsequences: false)
        if levels.count > 2, levels[0] == "$share" { levels.removeFirst(2) }
        self.levels = levels
    }

    /// Whether a message published to `topic` reaches this filter.
    func matches(_ topic: String) -> Bool {
        let topicLevels = topic.split(separator: "/", omittingEmptySubsequences: false)
        if topic.hasPrefix("$"), let first = levels.first, first == "+" || first == "#" { return false }
        for (index, level) in levels.enumerated() {
            if level == "#" { return true }
            guard index < topicLevels.count else { return false }
            if level != "+", level != topicLevels[index] { return false }
        }
        return levels.count == topicLevels.count
    }
}
