import Foundation
import OutriggerCore

/// `secretstores.local.env`: the sidecar's environment variables as secrets (for development).
///
/// `prefix` (optional): only variables whose name starts with it, found by the name without it.
/// A secret answers `[name: value]`.
public final class LocalEnvSecretStore: SecretStore {
    public static let descriptor = ComponentDescriptor(
        type: "secretstores.local.env",
        summary: "The sidecar's environment variables as secrets (development)"
    ) { metadata in
        LocalEnvSecretStore(metadata: metadata)
    }

    private let prefix: String
    private let environment: [String: String]

    public init(metadata: ComponentMetadata, environment: [String: String] = ProcessInfo.processInfo.environment) {
        prefix = metadata.string("prefix", default: "")
        self.environment = environment
    }

    public func secret(_ key: String, metadata: [String: String]) async throws -> [String: String] {
        guard let value = environment[prefix + key] else { throw SecretNotFound(key: key) }
        return [key: value]
    }

    public func bulkSecrets(metadata: [String: String]) async throws -> [String: [String: String]] {
        var secrets: [String: [String: String]] = [:]
        for (name, value) in environment where name.hasPrefix(prefix) {
            let key = String(name.dropFirst(prefix.count))
            secrets[key] = [key: value]
        }
        return secrets
    }

    public func close() async throws {}
}
