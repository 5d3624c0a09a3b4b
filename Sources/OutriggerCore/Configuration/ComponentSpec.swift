/// A `kind: Component` document (`apiVersion: dapr.io/v1alpha1`).
public struct ComponentSpec: Sendable, Equatable {
    /// One `spec.metadata[]` entry.
    public struct MetadataItem: Sendable, Equatable {
        public enum Value: Sendable, Equatable {
            case plain(String)
            /// `secretKeyRef: {name, key}`; `key` defaults to `name`.
            case secret(name: String, key: String)
        }

        public var name: String
        public var value: Value

        public init(name: String, value: Value) {
            self.name = name
            self.value = value
        }
    }

    public var name: String
    public var type: String
    public var version: String
    public var metadata: [MetadataItem]
    /// `auth.secretStore`: where `secretKeyRef`s are resolved.
    public var secretStore: String?
    /// App ids allowed to load this component; empty means every app.
    public var scopes: [String]
    /// `spec.ignoreErrors`: a failed init is logged and the component skipped instead of failing start-up.
    public var ignoreErrors: Bool
    /// `spec.initTimeout`: how long `init` may take (default 5 s, as in Dapr).
    public var initTimeout: Duration
    public var origin: ResourceOrigin

    public init(name: String, type: String, version: String = "v1", metadata: [MetadataItem] = [], secretStore: String? = nil, scopes: [String] = [], ignoreErrors: Bool = false, initTimeout: Duration = .seconds(5), origin: ResourceOrigin) {
        self.name = name
        self.type = type
        self.version = version
        self.metadata = metadata
        self.secretStore = secretStore
        self.scopes = scopes
        self.ignoreErrors = ignoreErrors
        self.initTimeout = initTimeout
        self.origin = origin
    }

    /// A descriptive label for messages: `Component 'orders' (pubsub.redis)`.
    public var label: String { "Component '\(name)' (\(type))" }

    /// True when the component is not scoped away from `appID`.
    public func isVisible(to appID: String) -> Bool {
        scopes.isEmpty || scopes.contains(appID)
    }
}

extension ComponentSpec {
    static func read(_ document: YAMLField) throws(ConfigurationError) -> ComponentSpec {
        document.warnAboutUnknownMembers(["apiVersion", "kind", "metadata", "spec", "auth", "scopes"])
        let name = try document.child("metadata").child("name").requiredString()
        document.context.resource = "Component '\(name)'"
        let spec = document.child("spec")
        guard spec.isPresent else { throw spec.error("is required") }
        spec.warnAboutUnknownMembers(["type", "version", "metadata", "ignoreErrors", "initTimeout"])
        let typeField = spec.child("type")
        let type = try typeField.requiredString()
        guard type.utf8.contains(UInt8(ascii: ".")) else {
            throw typeField.error("'\(type)' is not a component type; types look like 'pubsub.redis' or 'bindings.cron'")
        }
        var items: [MetadataItem] = []
        var seen: Set<String> = []
        for item in try spec.child("metadata").items() {
            item.warnAboutUnknownMembers(["name", "value", "secretKeyRef"])
            let itemName = try item.child("name").requiredString()
            guard seen.insert(itemName.lowercased()).inserted else {
                throw item.child("name").error("'\(itemName)' is given twice")
            }
            let secretRef = item.child("secretKeyRef")
            if secretRef.isPresent {
                let secretName = try secretRef.child("name").requiredString()
                let key = try secretRef.child("key").string() ?? secretName
                items.append(MetadataItem(name: itemName, value: .secret(name: secretName, key: key)))
            } else {
                items.append(MetadataItem(name: itemName, value: .plain(try item.child("value").string() ?? "")))
            }
        }
        return ComponentSpec(
            name: name,
            type: type,
            version: try spec.child("version").string() ?? "v1",
            metadata: items,
            secretStore: try document.child("auth").child("secretStore").string(),
            scopes: try document.child("scopes").stringList(),
            ignoreErrors: try spec.child("ignoreErrors").bool() ?? false,
            initTimeout: try spec.child("initTimeout").duration() ?? .seconds(5),
            origin: document.context.origin)
    }
}
