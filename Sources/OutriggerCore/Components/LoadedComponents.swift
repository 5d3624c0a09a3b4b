import Synchronization

/// The components the sidecar built, by name. Shared by everything that looks a component up
/// (publish, bindings, subscriptions, health, metadata), so a hot reload that swaps one is seen
/// by all at once; each lookup reads the current set.
public final class LoadedComponents: Sendable {
    /// One built component and the document it came from.
    public struct Entry: Sendable {
        public var spec: ComponentSpec
        public var component: any Component {
            didSet { pubsub = component as? any PubSub }
        }
        /// `component` as a pub/sub component, cast once rather than at every publish.
        public private(set) var pubsub: (any PubSub)?

        public init(spec: ComponentSpec, component: any Component) {
            self.spec = spec
            self.component = component
            pubsub = component as? any PubSub
        }
    }

    private let current: Mutex<[Entry]>

    public init(_ entries: [Entry] = []) {
        current = Mutex(entries)
    }

    /// The components now, in load order.
    public var entries: [Entry] { current.withLock { $0 } }

    /// Adds `entry`, or replaces the component of the same name in place; returns the one replaced.
    @discardableResult
    public func put(_ entry: Entry) -> Entry? {
        current.withLock { entries in
            guard let index = entries.firstIndex(where: { $0.spec.name == entry.spec.name }) else {
                entries.append(entry)
                return nil
            }
            defer { entries[index] = entry }
            return entries[index]
        }
    }

    /// Removes the component called `name`; returns it.
    @discardableResult
    public func remove(named name: String) -> Entry? {
        current.withLock { entries in
            guard let index = entries.firstIndex(where: { $0.spec.name == name }) else { return nil }
            return entries.remove(at: index)
        }
    }

    /// The component called `name`, if one is loaded (found without copying the set).
    public func entry(named name: String) -> Entry? {
        current.withLock { entries in entries.first { $0.spec.name == name } }
    }

    /// The pub/sub component called `name`, if one is loaded.
    public func pubsub(named name: String) -> (any PubSub)? {
        current.withLock { entries in entries.first { $0.spec.name == name }?.pubsub }
    }

    /// The output binding called `name`, if one is loaded.
    public func outputBinding(named name: String) -> (any OutputBinding)? {
        entry(named: name)?.component as? any OutputBinding
    }

    /// Names of every loaded pub/sub component.
    public var pubsubNames: [String] {
        entries.filter { $0.pubsub != nil }.map(\.spec.name)
    }

    public var inputBindings: [(name: String, binding: any InputBinding)] {
        entries.compactMap { entry in (entry.component as? any InputBinding).map { (entry.spec.name, $0) } }
    }
}
