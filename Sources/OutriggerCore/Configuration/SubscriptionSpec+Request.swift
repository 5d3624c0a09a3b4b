extension SubscriptionSpec {
    /// What the component is asked for this subscription, read from its metadata:
    /// `consumerGroup` (default `defaultConsumerGroup`, the app id), `maxConcurrency` (default
    /// 100, at least the bulk batch size so a batch can fill) and `orderedByKey` (`true`:
    /// one message at a time per `partitionKey`, keys in parallel).
    public func subscribeRequest(defaultConsumerGroup: String) -> SubscribeRequest {
        func value(_ key: String) -> String? { metadata.first { $0.key.lowercased() == key.lowercased() }?.value }
        var maxConcurrency = value("maxConcurrency").flatMap { Int($0) } ?? 100
        if let bulkSubscribe, bulkSubscribe.enabled {
            maxConcurrency = max(maxConcurrency, bulkSubscribe.maxMessagesCount)
        }
        let ordered = value("orderedByKey").map { ["true", "1", "yes", "on"].contains($0.lowercased()) } ?? false
        return SubscribeRequest(
            topic: topic, metadata: metadata, consumerGroup: value("consumerGroup") ?? defaultConsumerGroup,
            maxConcurrency: max(maxConcurrency, 1), orderedByKey: ordered)
    }
}
