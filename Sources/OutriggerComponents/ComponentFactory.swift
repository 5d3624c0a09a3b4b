import Foundation
import Logging
import OutriggerCore

/// Builds components from their documents through the registry; the sidecar and the
/// conformance suite both build through here.
///
/// An unknown `spec.type`, an unsupported `spec.version`, bad metadata or a failed init stops
/// start-up with an error naming the file and field, unless the Component sets
/// `spec.ignoreErrors: true`, in which case it is logged and skipped.
public enum ComponentFactory {
    /// Builds every component visible to `appID`, in order; closes those already built when one fails.
    public static func build(_ specs: [ComponentSpec], appID: String, logger: Logger) async throws -> LoadedComponents {
        var entries: [LoadedComponents.Entry] = []
        for spec in specs where spec.isVisible(to: appID) {
            do {
                let component = try await build(spec, appID: appID)
                entries.append(.init(spec: spec, component: component))
                logger.info("component loaded", metadata: ["name": "\(spec.name)", "type": "\(spec.type)/\(spec.version)"])
            } catch where spec.ignoreErrors {
                logger.error("component skipped (ignoreErrors: true): \(error)")
            } catch {
                for entry in entries { try? await entry.component.close() }
                throw error
            }
        }
        return LoadedComponents(entries)
    }

    /// Builds one component; every failure names the file and field.
    public static func build(_ spec: ComponentSpec, appID: String) async throws(ConfigurationError) -> any Component {
        func failure(_ field: String, _ message: String) -> ConfigurationError {
            ConfigurationError(file: spec.origin.file, document: spec.origin.document, resource: spec.label, field: field, message: message)
        }
        guard let descriptor = ComponentRegistry.descriptor(for: spec.type) else {
            let known = ComponentRegistry.descriptors.map(\.type).sorted().joined(separator: ", ")
            throw failure("spec.type", "unknown component type '\(spec.type)'; this build knows: \(known)")
        }
        guard descriptor.versions.contains(spec.version) else {
            throw failure("spec.version", "'\(spec.version)' is not supported by \(spec.type); use \(descriptor.versions.joined(separator: " or "))")
        }
        var properties: [String: String] = [:]
        for item in spec.metadata {
            switch item.value {
            case .plain(let value):
                properties[item.name] = substitutePlaceholders(value, appID: appID)
            case .secret(let name, _):
                throw failure("spec.metadata.\(item.name).secretKeyRef", "secret '\(name)' cannot be resolved: no secret store is available in this build; give the value directly or through an environment variable")
            }
        }
        let metadata = ComponentMetadata(name: spec.name, type: spec.type, version: spec.version, appID: appID, properties: properties)
        do {
            return try await withTimeLimit(spec.initTimeout) { try await descriptor.make(metadata) }
        } catch is TimeLimitExceeded {
            throw failure("spec.initTimeout", "init did not finish within \(GoDuration.format(spec.initTimeout))")
        } catch let error as ComponentConfigurationError {
            throw failure("spec.metadata.\(error.field)", error.reason)
        } catch {
            throw failure("", "init failed: \(error)")
        }
    }

    /// Dapr's metadata placeholders: `{uuid}`, `{appID}`, `{podName}` (the host name here), `{namespace}`.
    static func substitutePlaceholders(_ value: String, appID: String) -> String {
        guard value.contains("{") else { return value }
        var result = value.replacingOccurrences(of: "{appID}", with: appID)
        while let range = result.range(of: "{uuid}") {
            result.replaceSubrange(range, with: UUID().uuidString.lowercased())
        }
        result = result.replacingOccurrences(of: "{podName}", with: ProcessInfo.processInfo.hostName)
        result = result.replacingOccurrences(of: "{namespace}", with: ProcessInfo.processInfo.environment["NAMESPACE"] ?? "default")
        return result
    }
}
