/// Anything built from a Component document.
public protocol Component: Sendable {
    /// Releases broker connections; called once at shutdown after deliveries drained.
    func close() async throws
}

/// A component that can check its broker is reachable (`/v1.0/healthz/outbound`, conformance `ping`).
public protocol PingableComponent: Component {
    func ping() async throws
}

/// The kind of building block a component type belongs to: the part of `spec.type` before the first dot.
public enum ComponentKind: String, Sendable, CaseIterable {
    case pubsub
    case bindings
    case secretstores
}

/// How a component type is made: the registry holds one of these per type.
public struct ComponentDescriptor: Sendable {
    /// The `spec.type`, e.g. `pubsub.in-memory`.
    public var type: String
    /// Accepted `spec.version` values.
    public var versions: [String]
    /// One line for `--help`, docs and `/v1.0/metadata`.
    public var summary: String
    /// Builds the component; throws ``ComponentConfigurationError`` on bad metadata.
    public var make: @Sendable (ComponentMetadata) async throws -> any Component

    public init(type: String, versions: [String] = ["v1"], summary: String, make: @escaping @Sendable (ComponentMetadata) async throws -> any Component) {
        self.type = type
        self.versions = versions
        self.summary = summary
        self.make = make
    }

    /// The building block, from the type's prefix.
    public var kind: ComponentKind? {
        ComponentKind(rawValue: String(type.prefix(while: { $0 != "." })))
    }
}

/// A failure a component reports, saying whether trying again can help.
public struct ComponentError: Error, Sendable, CustomStringConvertible {
    public enum Kind: Sendable {
        /// The broker may accept it later (connection lost, timeout, broker busy).
        case retriable
        /// Trying again cannot succeed (message too large, topic name invalid, permission denied).
        case terminal
    }

    public var kind: Kind
    public var message: String

    public init(_ kind: Kind, _ message: String) {
        self.kind = kind
        self.message = message
    }

    public var description: String { message }
}
