import CloudEvents
import Foundation
import OutriggerCore

/// `secretstores.local.file`: secrets from a JSON file, read once at start (for development).
///
/// `secretsFile` (required; relative to the sidecar's working directory, as with `dapr run`),
/// `nestedSeparator` (default `:`), `multiValued` (default `false`). With `multiValued: false`
/// every value is a secret of its own, nested objects flattened into names joined by the
/// separator (`connectionStrings:sql`); with `true` each top-level name is one secret holding
/// the pairs below it (deeper levels flattened), so `connectionStrings` answers `sql` and `mysql`.
public final class LocalFileSecretStore: SecretStore {
    public static let descriptor = ComponentDescriptor(
        type: "secretstores.local.file",
        summary: "Secrets from a local JSON file (development)"
    ) { metadata in
        try LocalFileSecretStore(metadata: metadata)
    }

    private let secrets: [String: [String: String]]

    public init(metadata: ComponentMetadata) throws(ComponentConfigurationError) {
        let file = try metadata.required("secretsFile")
        let separator = metadata.string("nestedSeparator", default: ":")
        let multiValued = try metadata.bool("multiValued", default: false)
        func invalid(_ reason: String) -> ComponentConfigurationError {
            ComponentConfigurationError(component: metadata.name, field: "secretsFile", reason: reason)
        }
        guard let data = FileManager.default.contents(atPath: file) else { throw invalid("cannot read '\(file)'") }
        guard let document = try? JSONValue(parsing: [UInt8](data)), case .object(let root) = document else {
            throw invalid("'\(file)' is not a JSON object")
        }
        var secrets: [String: [String: String]] = [:]
        if multiValued {
            for (name, value) in root {
                var pairs: [String: String] = [:]
                if case .object(let object) = value {
                    Self.flatten(object, prefix: "", separator: separator, into: &pairs)
                } else {
                    pairs[name] = Self.text(value)
                }
                secrets[name] = pairs
            }
        } else {
            var flat: [String: String] = [:]
            Self.flatten(root, prefix: "", separator: separator, into: &flat)
            for (name, value) in flat { secrets[name] = [name: value] }
        }
        self.secrets = secrets
    }

    public func secret(_ key: String, metadata: [String: String]) async throws -> [String: String] {
        guard let secret = secrets[key] else { throw SecretNotFound(key: key) }
        return secret
    }

    public func bulkSecrets(metadata: [String: String]) async throws -> [String: [String: String]] { secrets }

    public func close() async throws {}

    static func flatten(_ object: JSONObject, prefix: String, separator: String, into pairs: inout [String: String]) {
        for (key, value) in object {
            let name = prefix.isEmpty ? key : prefix + separator + key
            if case .object(let nested) = value {
                flatten(nested, prefix: name, separator: separator, into: &pairs)
            } else {
                pairs[name] = text(value)
            }
        }
    }

    /// A JSON leaf as text: strings unquoted, numbers as written, anything else as its JSON.
    static func text(_ value: JSONValue) -> String {
        switch value {
        case .string(let string): string
        case .number(let literal): literal
        default: value.jsonText
        }
    }
}
