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
    /// Builds every component visible to `appID`: secret stores first, one after the other (the
    /// others' `secretKeyRef`s, and a later secret store's, resolve through them), then the rest
    /// concurrently, so the brokers' connection handshakes overlap instead of adding up at
    /// start. The result keeps the files' order; when one fails, every component built is closed
    /// and the first failure in that order is thrown.
    public static func build(
        _ specs: [ComponentSpec], appID: String, logger: Logger, descriptors: [ComponentDescriptor] = ComponentRegistry.descriptors
    ) async throws -> LoadedComponents {
        var entries: [LoadedComponents.Entry] = []
        let visible = specs.filter { $0.isVisible(to: appID) }
        let isSecretStore = { (spec: ComponentSpec) in spec.type.hasPrefix(ComponentKind.secretstores.rawValue + ".") }
        var firstFailure: ConfigurationError?
        for spec in visible.filter(isSecretStore) {
            let outcome = await attempt(spec, appID: appID, secretStores: LoadedComponents(entries), descriptors: descriptors)
            firstFailure = record(outcome, of: spec, in: &entries, logger: logger)
            if firstFailure != nil { break }
        }
        if firstFailure == nil {
            let others = visible.filter { !isSecretStore($0) }
            let secretStores = LoadedComponents(entries)
            let outcomes = await withTaskGroup(of: (Int, Outcome).self) { group in
                for (index, spec) in others.enumerated() {
                    group.addTask { (index, await attempt(spec, appID: appID, secretStores: secretStores, descriptors: descriptors)) }
                }
                var outcomes = [Outcome?](repeating: nil, count: others.count)
                for await (index, outcome) in group { outcomes[index] = outcome }
                return outcomes
            }
            for (spec, outcome) in zip(others, outcomes) {
                guard let outcome else { continue }
                if let failure = record(outcome, of: spec, in: &entries, logger: logger), firstFailure == nil {
                    firstFailure = failure
                }
            }
        }
        if let firstFailure {
            for entry in entries { try? await entry.component.close() }
            throw firstFailure
        }
        return LoadedComponents(entries)
    }

    /// A component built or not, and how long its init took.
    private typealias Outcome = (result: Result<any Component, ConfigurationError>, took: Duration)

    private static func attempt(
        _ spec: ComponentSpec, appID: String, secretStores: LoadedComponents, descriptors: [ComponentDescriptor]
    ) async -> Outcome {
        let start = ContinuousClock.now
        do {
            let component = try await build(spec, appID: appID, secretStores: secretStores, descriptors: descriptors)
            return (.success(component), ContinuousClock.now - start)
        } catch {
            return (.failure(error), ContinuousClock.now - start)
        }
    }

    /// Adds a built component to `entries`, or logs a failed one that may be skipped
    /// (`ignoreErrors: true`); returns the failure that stops start-up.
    private static func record(
        _ outcome: Outcome, of spec: ComponentSpec, in entries: inout [LoadedComponents.Entry], logger: Logger
    ) -> ConfigurationError? {
        switch outcome.result {
        case .success(let component):
            entries.append(.init(spec: spec, component: component))
            logger.info("component loaded", metadata: [
                "name": "\(spec.name)", "type": "\(spec.type)/\(spec.version)", "init": "\(GoDuration.format(outcome.took))",
            ])
            return nil
        case .failure(let error) where spec.ignoreErrors:
            logger.error("component skipped (ignoreErrors: true): \(error)")
            return nil
        case .failure(let error):
            return error
        }
    }

    /// Builds one component; every failure names the file and field. `secretKeyRef`s are
    /// resolved through the secret store `auth.secretStore` names, among `secretStores`.
    public static func build(
        _ spec: ComponentSpec, appID: String, secretStores: LoadedComponents = LoadedComponents(),
        descriptors: [ComponentDescriptor] = ComponentRegistry.descriptors
    ) async throws(ConfigurationError) -> any Component {
        func failure(_ field: String, _ message: String) -> ConfigurationError {
            ConfigurationError(file: spec.origin.file, document: spec.origin.document, resource: spec.label, field: field, message: message)
        }
        guard let descriptor = descriptors.first(where: { $0.type == spec.type }) else {
            let known = descriptors.map(\.type).sorted().joined(separator: ", ")
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
            case .secret(let name, let key):
                let field = "spec.metadata.\(item.name).secretKeyRef"
                guard let storeName = spec.secretStore else {
                    throw failure(field, "secret '\(name)' needs a secret store: name one in auth.secretStore (e.g. a secretstores.local.file component)")
                }
                guard let store = secretStores.entry(named: storeName)?.component as? any SecretStore else {
                    throw failure("auth.secretStore", "no secret store component named '\(storeName)' is loaded")
                }
                let secret: [String: String]
                do {
                    secret = try await store.secret(name, metadata: [:])
                } catch {
                    throw failure(field, "secret '\(name)' from secret store '\(storeName)': \(error)")
                }
                guard let value = secret[key] else {
                    throw failure(field, "secret '\(name)' in secret store '\(storeName)' has no key '\(key)'")
                }
                properties[item.name] = value
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
        guard value.utf8.contains(UInt8(ascii: "{")) else { return value }
        var result = value.replacingOccurrences(of: "{appID}", with: appID)
        while let range = result.range(of: "{uuid}") {
            result.replaceSubrange(range, with: UUID().uuidString.lowercased())
        }
        result = result.replacingOccurrences(of: "{podName}", with: ProcessInfo.processInfo.hostName)
        result = result.replacingOccurrences(of: "{namespace}", with: ProcessInfo.processInfo.environment["NAMESPACE"] ?? "default")
        return result
    }
}
