import CloudEvents
import OutriggerComponents
import OutriggerCore
import OutriggerDelivery
import OutriggerGRPCAPI

/// `GET /v1.0/metadata`, in Dapr's shape, with Outrigger's delivery counters added per subscription.
struct MetadataDocument: Sendable {
    let configuration: SidecarConfiguration
    let components: LoadedComponents
    let subscriptions: SubscriptionService
    let streams: StreamingSubscriptions

    func json() -> JSONValue {
        var root = JSONObject()
        root["id"] = .string(configuration.appID)
        root["runtimeVersion"] = .string(RuntimeVersion.current)
        root["enabledFeatures"] = .array([])
        root["actors"] = .array([])
        root["components"] = .array(components.entries.map { entry in
            var item = JSONObject()
            item["name"] = .string(entry.spec.name)
            item["type"] = .string(entry.spec.type)
            item["version"] = .string(entry.spec.version)
            var features = (entry.component as? any PubSub)?.features.map(\.rawValue).sorted() ?? []
            if entry.component is any InputBinding, entry.spec.readsInput { features.append("INPUT_BINDING") }
            if let output = entry.component as? any OutputBinding {
                features.append("OUTPUT_BINDING")
                item["operations"] = .array(output.operations.map(JSONValue.string))
            }
            item["capabilities"] = .array(features.map(JSONValue.string))
            if let health = ComponentHealthCheck.reportedHealth(of: entry.component) {
                item["health"] = .string(health.description)
            }
            return .object(item)
        })
        root["subscriptions"] = .array((subscriptions.subscriptions + streams.subscriptions).map(subscriptionJSON))
        root["inputBindings"] = .array(subscriptions.inputBindings.map(bindingJSON))
        root["httpEndpoints"] = .array([])
        var connection = JSONObject()
        if let port = configuration.appPort { connection["port"] = .number(String(port)) }
        connection["protocol"] = .string(configuration.appProtocol.rawValue)
        connection["channelAddress"] = .string("127.0.0.1")
        connection["maxConcurrency"] = .number(String(configuration.appMaxConcurrency ?? -1))
        root["appConnectionProperties"] = .object(connection)
        var extended = JSONObject()
        extended["daprRuntimeVersion"] = .string("outrigger-\(RuntimeVersion.current)")
        root["extended"] = .object(extended)
        return .object(root)
    }

    private func bindingJSON(_ active: ActiveBinding) -> JSONValue {
        var item = JSONObject()
        item["name"] = .string(active.name)
        item["route"] = .string(active.path)
        item["deliveries"] = .object(deliveriesJSON(active.counters.snapshot, circuitState: active.circuitState))
        return .object(item)
    }

    private func subscriptionJSON(_ active: ActiveSubscription) -> JSONValue {
        let spec = active.spec
        var item = JSONObject()
        item["pubsubname"] = .string(spec.pubsubName)
        item["topic"] = .string(spec.topic)
        item["deadLetterTopic"] = .string(spec.deadLetterTopic ?? "")
        item["metadata"] = .object(JSONObject(spec.metadata.sorted { $0.key < $1.key }.map { ($0.key, JSONValue.string($0.value)) }))
        var rules = spec.rules.map { JSONValue.object(["match": .string($0.match), "path": .string($0.path)]) }
        if let route = spec.defaultRoute { rules.append(.object(["match": .string(""), "path": .string(route)])) }
        item["rules"] = .array(rules)
        switch spec.source {
        case .resource: item["type"] = .string("DECLARATIVE")
        case .app: item["type"] = .string("PROGRAMMATIC")
        case .stream: item["type"] = .string("STREAMING")
        }
        item["deliveries"] = .object(deliveriesJSON(active.counters.snapshot, circuitState: active.circuitState))
        return .object(item)
    }

    private func deliveriesJSON(_ counts: DeliveryCounters.Snapshot, circuitState: String?) -> JSONObject {
        var deliveries = JSONObject()
        deliveries["inFlight"] = .number(String(counts.inFlight))
        deliveries["delivered"] = .number(String(counts.delivered))
        deliveries["retried"] = .number(String(counts.retried))
        deliveries["dropped"] = .number(String(counts.dropped))
        deliveries["deadLettered"] = .number(String(counts.deadLettered))
        deliveries["nacked"] = .number(String(counts.nacked))
        deliveries["expired"] = .number(String(counts.expired))
        deliveries["unrouted"] = .number(String(counts.unrouted))
        if let circuitState { deliveries["circuitBreaker"] = .string(circuitState) }
        return deliveries
    }
}
