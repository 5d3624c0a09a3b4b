import CloudEvents
import DaprProto

extension Dapr_Proto_Runtime_V1_GetMetadataResponse {
    /// The gRPC form of the `GET /v1.0/metadata` document, so both APIs report the same facts
    /// from one source: id, runtime version, components (name, type, version, capabilities),
    /// subscriptions (pubsub, topic, metadata, rules, dead-letter topic, type), the app
    /// connection and the extended metadata. Members the proto has no field for are left out.
    init(document: JSONValue) {
        self.init()
        id = document["id"]?.stringValue ?? ""
        runtimeVersion = document["runtimeVersion"]?.stringValue ?? ""
        enabledFeatures = Self.items(document["enabledFeatures"]).compactMap(\.stringValue)
        registeredComponents = Self.items(document["components"]).map { item in
            var component = Dapr_Proto_Runtime_V1_RegisteredComponents()
            component.name = item["name"]?.stringValue ?? ""
            component.type = item["type"]?.stringValue ?? ""
            component.version = item["version"]?.stringValue ?? ""
            component.capabilities = Self.items(item["capabilities"]).compactMap(\.stringValue)
            return component
        }
        subscriptions = Self.items(document["subscriptions"]).map(Self.subscription)
        extendedMetadata = Self.strings(document["extended"])
        if let connection = document["appConnectionProperties"]?.objectValue {
            var properties = Dapr_Proto_Runtime_V1_AppConnectionProperties()
            properties.port = Int32(clamping: Int(connection["port"]?.doubleValue ?? 0))
            properties.protocol = connection["protocol"]?.stringValue ?? ""
            properties.channelAddress = connection["channelAddress"]?.stringValue ?? ""
            properties.maxConcurrency = Int32(clamping: Int(connection["maxConcurrency"]?.doubleValue ?? 0))
            appConnectionProperties = properties
        }
    }

    private static func subscription(_ item: JSONValue) -> Dapr_Proto_Runtime_V1_PubsubSubscription {
        var subscription = Dapr_Proto_Runtime_V1_PubsubSubscription()
        subscription.pubsubName = item["pubsubname"]?.stringValue ?? ""
        subscription.topic = item["topic"]?.stringValue ?? ""
        subscription.metadata = strings(item["metadata"])
        subscription.deadLetterTopic = item["deadLetterTopic"]?.stringValue ?? ""
        var rules = Dapr_Proto_Runtime_V1_PubsubSubscriptionRules()
        rules.rules = items(item["rules"]).map { rule in
            var converted = Dapr_Proto_Runtime_V1_PubsubSubscriptionRule()
            converted.match = rule["match"]?.stringValue ?? ""
            converted.path = rule["path"]?.stringValue ?? ""
            return converted
        }
        subscription.rules = rules
        subscription.type = switch item["type"]?.stringValue {
        case "DECLARATIVE": .declarative
        case "PROGRAMMATIC": .programmatic
        case "STREAMING": .streaming
        default: .unknown
        }
        return subscription
    }

    private static func items(_ value: JSONValue?) -> [JSONValue] {
        if case .array(let items)? = value { return items }
        return []
    }

    private static func strings(_ value: JSONValue?) -> [String: String] {
        var result: [String: String] = [:]
        for (key, entry) in value?.objectValue ?? JSONObject() {
            result[key] = entry.stringValue ?? String(decoding: entry.serialized(), as: UTF8.self)
        }
        return result
    }
}
