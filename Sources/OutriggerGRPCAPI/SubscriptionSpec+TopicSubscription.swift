import DaprProto
import OutriggerCore

extension SubscriptionSpec {
    /// A subscription a gRPC app declared in `ListTopicSubscriptions`.
    ///
    /// `routes.rules` with a `match` become routing rules; a rule without one is the default
    /// route, as is `routes.default`. With neither the default route is the empty path, which is
    /// what Dapr sends in `TopicEventRequest.path` then. Bulk settings of 0 take Dapr's defaults
    /// (100 messages, 1000 ms).
    init(_ subscription: Dapr_Proto_Runtime_V1_TopicSubscription, index: Int) throws(TopicSubscriptionError) {
        guard !subscription.pubsubName.isEmpty else { throw TopicSubscriptionError(index: index, message: "'pubsub_name' is required") }
        guard !subscription.topic.isEmpty else { throw TopicSubscriptionError(index: index, message: "'topic' is required") }
        var rules: [Rule] = []
        var defaultRoute: String?
        for rule in subscription.routes.rules {
            if rule.match.isEmpty {
                if defaultRoute == nil { defaultRoute = rule.path }
            } else {
                rules.append(Rule(match: rule.match, path: rule.path))
            }
        }
        if !subscription.routes.default.isEmpty { defaultRoute = subscription.routes.default }
        if rules.isEmpty && defaultRoute == nil { defaultRoute = "" }
        var bulk: BulkOptions?
        if subscription.hasBulkSubscribe {
            let options = subscription.bulkSubscribe
            bulk = BulkOptions(
                enabled: options.enabled,
                maxMessagesCount: options.maxMessagesCount > 0 ? Int(options.maxMessagesCount) : 100,
                maxAwaitDuration: .milliseconds(options.maxAwaitDurationMs > 0 ? Int(options.maxAwaitDurationMs) : 1000))
        }
        self.init(
            pubsubName: subscription.pubsubName, topic: subscription.topic, rules: rules, defaultRoute: defaultRoute,
            deadLetterTopic: subscription.deadLetterTopic.isEmpty ? nil : subscription.deadLetterTopic,
            bulkSubscribe: bulk, metadata: subscription.metadata, source: .app)
    }
}
