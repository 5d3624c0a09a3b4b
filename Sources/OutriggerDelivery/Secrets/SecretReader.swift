import OutriggerCore

/// The one path to secret stores, shared by `GET /v1.0/secrets/...` and gRPC `GetSecret` /
/// `GetBulkSecret`: finds the store and reads from it; the error says how the API answers.
public struct SecretReader: Sendable {
    public let components: LoadedComponents
    /// `spec.secrets.scopes` of the Configuration: which keys of a store the app may read.
    public let scopes: [DaprConfiguration.SecretScope]

    public init(components: LoadedComponents, scopes: [DaprConfiguration.SecretScope] = []) {
        self.components = components
        self.scopes = scopes
    }

    /// Whether the scopes let the app read `key` of `store` (no scope for the store: yes).
    func allows(store: String, key: String) -> Bool {
        scopes.first { $0.storeName == store }?.allows(key) ?? true
    }

    /// The secret `key` of `store`.
    public func secret(store: String, key: String, metadata: [String: String]) async throws(SecretReadError) -> [String: String] {
        let secretStore = try find(store)
        guard allows(store: store, key: key) else { throw .denied(store: store, key: key) }
        do {
            return try await secretStore.secret(key, metadata: metadata)
        } catch {
            throw .failed("failed getting secret with key \(key) from secret store \(store): \(error)")
        }
    }

    /// Every secret of `store`.
    public func bulk(store: String, metadata: [String: String]) async throws(SecretReadError) -> [String: [String: String]] {
        let secretStore = try find(store)
        do {
            return try await secretStore.bulkSecrets(metadata: metadata).filter { allows(store: store, key: $0.key) }
        } catch {
            throw .failed("failed getting secrets from secret store \(store): \(error)")
        }
    }

    private func find(_ store: String) throws(SecretReadError) -> any SecretStore {
        let stores = components.entries.compactMap { $0.component as? any SecretStore }
        guard !stores.isEmpty else { throw .notConfigured }
        guard let found = components.entry(named: store)?.component as? any SecretStore else { throw .notFound(store) }
        return found
    }
}

/// Why a secret could not be read, with the status daprd answers.
public enum SecretReadError: Error, Sendable, CustomStringConvertible {
    /// No secret store is loaded at all.
    case notConfigured
    /// No secret store has that name.
    case notFound(String)
    /// The store failed or has no such secret.
    case failed(String)
    /// `spec.secrets.scopes` of the Configuration does not let the app read the key.
    case denied(store: String, key: String)

    public var code: String {
        switch self {
        case .notConfigured: "ERR_SECRET_STORES_NOT_CONFIGURED"
        case .notFound: "ERR_SECRET_STORE_NOT_FOUND"
        case .failed: "ERR_SECRET_GET"
        case .denied: "ERR_PERMISSION_DENIED"
        }
    }

    /// daprd answers 401 for a store it does not know, 500 otherwise.
    public var httpStatus: Int {
        switch self {
        case .notConfigured, .failed: 500
        case .notFound: 401
        case .denied: 403
        }
    }

    public var description: String {
        switch self {
        case .notConfigured: "secret store is not configured"
        case .notFound(let name): "failed finding secret store with key \(name)"
        case .failed(let message): message
        case .denied(let store, let key): "access denied by policy to get \(key) from \(store)"
        }
    }
}
