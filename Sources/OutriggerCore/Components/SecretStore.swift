/// A secret store (`secretstores.*`): answers the secrets API and resolves the `secretKeyRef`s
/// of other components' metadata.
///
/// A secret is a map: a store of single values answers `[key: value]`, a multi-valued one
/// several pairs. Values never reach logs, errors or `/v1.0/metadata`.
public protocol SecretStore: Component {
    /// The secret `key`; throws ``SecretNotFound`` when the store has none by that name.
    func secret(_ key: String, metadata: [String: String]) async throws -> [String: String]

    /// Every secret of the store, by name.
    func bulkSecrets(metadata: [String: String]) async throws -> [String: [String: String]]
}

/// The store has no secret by that name.
public struct SecretNotFound: Error, Sendable, CustomStringConvertible {
    public var key: String

    public init(key: String) { self.key = key }

    public var description: String { "secret '\(key)' not found" }
}
