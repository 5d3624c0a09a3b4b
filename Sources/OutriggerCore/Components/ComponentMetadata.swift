/// The `spec.metadata` of one Component document, after secrets and placeholders are resolved.
///
/// Keys are matched case-insensitively, as Dapr does, so `redisHost` and `redishost` are the same
/// field. Typed accessors throw ``ComponentConfigurationError`` naming the field.
public struct ComponentMetadata: Sendable {
    /// The component's `metadata.name`.
    public var name: String
    /// The component's `spec.type`, e.g. `pubsub.in-memory`.
    public var type: String
    /// The component's `spec.version`, e.g. `v1`.
    public var version: String
    /// The app id of the sidecar that loads the component.
    public var appID: String
    private var values: [String: String]

    public init(name: String, type: String, version: String = "v1", appID: String = "", properties: [String: String] = [:]) {
        self.name = name
        self.type = type
        self.version = version
        self.appID = appID
        self.values = [:]
        for (key, value) in properties { values[key.lowercased()] = value }
    }

    /// Every field as it was given (keys lower-cased).
    public var properties: [String: String] { values }

    /// The raw value of `key`, or `nil` when absent.
    public subscript(key: String) -> String? {
        values[key.lowercased()]
    }

    /// A string field; `defaultValue` when absent or empty.
    public func string(_ key: String, default defaultValue: String) -> String {
        guard let value = self[key], !value.isEmpty else { return defaultValue }
        return value
    }

    /// A field that must be present and non-empty.
    public func required(_ key: String) throws(ComponentConfigurationError) -> String {
        guard let value = self[key], !value.isEmpty else {
            throw ComponentConfigurationError(component: name, field: key, reason: "is required")
        }
        return value
    }

    /// A boolean field (`true/false/1/0/yes/no`, any case); `defaultValue` when absent.
    public func bool(_ key: String, default defaultValue: Bool) throws(ComponentConfigurationError) -> Bool {
        guard let value = self[key], !value.isEmpty else { return defaultValue }
        switch value.lowercased() {
        case "true", "1", "yes", "on": return true
        case "false", "0", "no", "off": return false
        default:
            throw ComponentConfigurationError(component: name, field: key, reason: "must be true or false, got '\(value)'")
        }
    }

    /// An integer field within `range`; `defaultValue` when absent.
    public func int(_ key: String, default defaultValue: Int, in range: ClosedRange<Int> = Int.min...Int.max) throws(ComponentConfigurationError) -> Int {
        guard let value = self[key], !value.isEmpty else { return defaultValue }
        guard let number = Int(value.trimmingCharacters(in: " ")) else {
            throw ComponentConfigurationError(component: name, field: key, reason: "must be an integer, got '\(value)'")
        }
        guard range.contains(number) else {
            throw ComponentConfigurationError(component: name, field: key, reason: "must be in \(range.lowerBound)...\(range.upperBound), got \(number)")
        }
        return number
    }

    /// A duration field in Go syntax (`500ms`, `1m30s`) or a bare number of `bareUnit`s.
    public func duration(_ key: String, default defaultValue: Duration, bareUnit: Duration = .seconds(1)) throws(ComponentConfigurationError) -> Duration {
        guard let value = self[key], !value.isEmpty else { return defaultValue }
        if let number = Int(value.trimmingCharacters(in: " ")) { return bareUnit * number }
        do {
            return try GoDuration.parse(value)
        } catch {
            throw ComponentConfigurationError(component: name, field: key, reason: error.description)
        }
    }
}

/// A Component's metadata field is missing or malformed; start-up fails with this message.
public struct ComponentConfigurationError: Error, Sendable, CustomStringConvertible {
    public var component: String
    public var field: String
    public var reason: String

    public init(component: String, field: String, reason: String) {
        self.component = component
        self.field = field
        self.reason = reason
    }

    public var description: String { "component '\(component)': metadata field '\(field)' \(reason)" }
}

