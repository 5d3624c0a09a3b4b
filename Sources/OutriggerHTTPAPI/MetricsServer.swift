import Hummingbird
import NIOCore
import OutriggerDelivery

/// Prometheus text exposition of the delivery counters on `--metrics-port` (`GET /metrics`).
///
/// ```
/// outrigger_deliveries_total{app_id="orders",pubsub="pubsub",topic="orders",outcome="delivered"} 42
/// outrigger_deliveries_in_flight{app_id="orders",pubsub="pubsub",topic="orders"} 3
/// ```
public struct MetricsServer: Sendable {
    public let appID: String
    /// The subscriptions being delivered, read on every scrape.
    public let subscriptions: @Sendable () -> [ActiveSubscription]

    public init(appID: String, subscriptions: @escaping @Sendable () -> [ActiveSubscription]) {
        self.appID = appID
        self.subscriptions = subscriptions
    }

    public func router() -> Router<BasicRequestContext> {
        let router = Router()
        router.get("/metrics") { _, _ in
            Response(
                status: .ok,
                headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                body: ResponseBody(byteBuffer: ByteBuffer(string: self.render())))
        }
        return router
    }

    /// The exposition text for the current counters.
    public func render() -> String {
        var text = """
            # HELP outrigger_deliveries_total Events handled per subscription, by outcome.
            # TYPE outrigger_deliveries_total counter

            """
        var inFlight = """
            # HELP outrigger_deliveries_in_flight Deliveries under way per subscription.
            # TYPE outrigger_deliveries_in_flight gauge

            """
        for subscription in subscriptions() {
            let counts = subscription.counters.snapshot
            let labels = "app_id=\"\(escape(appID))\",pubsub=\"\(escape(subscription.spec.pubsubName))\",topic=\"\(escape(subscription.spec.topic))\""
            let outcomes: [(String, Int)] = [
                ("delivered", counts.delivered), ("retried", counts.retried), ("dropped", counts.dropped),
                ("dead_lettered", counts.deadLettered), ("nacked", counts.nacked), ("expired", counts.expired),
                ("unrouted", counts.unrouted),
            ]
            for (outcome, value) in outcomes {
                text += "outrigger_deliveries_total{\(labels),outcome=\"\(outcome)\"} \(value)\n"
            }
            inFlight += "outrigger_deliveries_in_flight{\(labels)} \(counts.inFlight)\n"
        }
        return text + inFlight
    }

    private func escape(_ value: String) -> String {
        value.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"").replacingOccurrences(of: "\n", with: "\\n")
    }
}
