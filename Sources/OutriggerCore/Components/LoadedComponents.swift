/// The components the sidecar built, by name. Read-only once start-up is done.
public struct LoadedComponents: Sendable {
    /// One built component and the document it came from.
    public struct Entry: Sendable {
        public var spec: ComponentSpec
        public var component: any Component

        public init(spec: ComponentSpec, component: any Component) {
            self.spec = spec
            self.component = component
        }
    }

    public private(set) var entries: [Entry]

    public init(_ entries: [Entry] = []) {
        self.entries = entries
    }

    public func entry(named name: String) -> Entry? {
        entries.first { $0.spec.name == name }
    }

    /// The pub/sub component called `name`, if one is loaded.
    public func pubsub(named name: String) -> (any PubSub)? {
        entry(named: name)?.component as? any PubSub
    }

    /// The output binding called `name`, if one is loaded.
    public func outputBinding(named name: String) -> (any OutputBinding)? {
        entry(named: name)?.component as? any OutputBinding
    }

    /// Names of every loaded pub/sub component.
    public var pubsubNames: [String] {
        entries.filter { $0.component is any PubSub }.map(\.spec.name)
    }

    public var inputBindings: [(name: String, binding: any InputBinding)] {
        entries.compactMap { entry in (entry.component as? any InputBinding).map { (entry.spec.name, $0) } }
    }
}
