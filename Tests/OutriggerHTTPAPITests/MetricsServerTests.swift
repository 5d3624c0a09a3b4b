import OutriggerCore
import OutriggerDelivery
import OutriggerHTTPAPI
import Testing

@Suite("Prometheus metrics")
struct MetricsServerTests {
    @Test("every subscription gets a counter per outcome and an in-flight gauge, labels escaped")
    func exposition() throws {
        let spec = SubscriptionSpec(pubsubName: "pub\"sub", topic: "orders", defaultRoute: "/orders", source: .app)
        let subscription = try ActiveSubscription(spec: spec, policy: .default)
        let text = MetricsServer(appID: "shop", subscriptions: { [subscription] }).render()
        let labels = #"app_id="shop",pubsub="pub\"sub",topic="orders""#
        for outcome in ["delivered", "retried", "dropped", "dead_lettered", "nacked", "expired", "unrouted"] {
            #expect(text.contains("outrigger_deliveries_total{\(labels),outcome=\"\(outcome)\"} 0\n"), "\(outcome)")
        }
        #expect(text.contains("outrigger_deliveries_in_flight{\(labels)} 0\n"))
        #expect(text.contains("# TYPE outrigger_deliveries_total counter"))
    }
}
