import Foundation
import Yams

/// Everything the resource folders declare.
public struct ResourceSet: Sendable {
    public var components: [ComponentSpec] = []
    public var subscriptions: [SubscriptionSpec] = []
    public var resiliencies: [ResiliencySpec] = []
    /// Unknown fields and skipped documents: logged at start-up, never fatal.
    public var warnings: [String] = []
    /// Documents of kinds Outrigger does not act on (Configuration, HTTPEndpoint ...), as `file: kind 'name'`.
    public var skipped: [String] = []

    public init() {}
}

/// Reads Dapr resource files: every `*.yaml` / `*.yml` in the given folders (or the files
/// themselves), several `---`-separated documents per file.
///
/// Components, Subscriptions and Resiliency documents are read; other Dapr kinds are skipped as
/// daprd skips the ones it does not act on. Any malformed document stops loading with a
/// ``ConfigurationError`` naming the file, the document and the field.
public enum ResourceLoader {
    /// Loads every resource under `paths`, in file-name order.
    public static func load(paths: [String]) throws -> ResourceSet {
        var set = ResourceSet()
        for path in paths {
            for file in try resourceFiles(at: path) {
                let text: String
                do {
                    text = try String(contentsOfFile: file, encoding: .utf8)
                } catch {
                    throw ConfigurationError(file: file, document: 0, field: "", message: "cannot be read: \(error.localizedDescription)")
                }
                try load(text: text, file: file, into: &set)
            }
        }
        var componentOrigins: [String: ResourceOrigin] = [:]
        for component in set.components {
            if let first = componentOrigins[component.name] {
                throw ConfigurationError(
                    file: component.origin.file, document: component.origin.document, resource: component.label,
                    field: "metadata.name", message: "a component named '\(component.name)' is already declared in \(first)")
            }
            componentOrigins[component.name] = component.origin
        }
        return set
    }

    /// Reads the documents of one file's text into `set`.
    public static func load(text: String, file: String, into set: inout ResourceSet) throws {
        if let excess = YAMLAliasLimit.firstExcess(in: text) {
            throw ConfigurationError(
                file: file, document: excess.document, field: "", line: excess.line,
                message: "aliases expand to more than \(YAMLAliasLimit.maximumNodes) nodes; a resource needs far fewer")
        }
        var documents: [Node] = []
        do {
            // The sequence stops at a parse error and keeps it instead of throwing.
            var sequence = try YAMLField.compose(text)
            while let document = sequence.next() { documents.append(document) }
            if let error = sequence.error { throw error }
        } catch {
            throw ConfigurationError(file: file, document: documents.count + 1, field: "", message: "is not valid YAML: \(error)")
        }
        for (index, node) in documents.enumerated() {
            let context = YAMLField.DocumentContext(origin: ResourceOrigin(file: file, document: index + 1))
            let document = YAMLField(node: node, path: "", context: context)
            guard case .mapping = node else {
                if document.isPresent { set.warnings.append("\(file) (document \(index + 1)): not a mapping; skipped") }
                continue
            }
            let kind = try document.child("kind").string() ?? ""
            let apiVersion = try document.child("apiVersion").string() ?? ""
            let name = (try? document.child("metadata").child("name").string()) ?? nil
            switch kind {
            case "Component":
                try expect(apiVersion, in: ["dapr.io/v1alpha1"], document)
                set.components.append(try ComponentSpec.read(document))
            case "Subscription":
                try expect(apiVersion, in: ["dapr.io/v1alpha1", "dapr.io/v2alpha1"], document)
                set.subscriptions.append(try SubscriptionSpec.read(document, apiVersion: apiVersion))
            case "Resiliency":
                try expect(apiVersion, in: ["dapr.io/v1alpha1"], document)
                set.resiliencies.append(try ResiliencySpec.read(document))
            case "":
                set.warnings.append("\(file) (document \(index + 1)): no 'kind'; skipped")
            default:
                set.skipped.append("\(file): \(kind) '\(name ?? "")'")
            }
            set.warnings.append(contentsOf: context.warnings)
        }
    }

    private static func expect(_ apiVersion: String, in accepted: [String], _ document: YAMLField) throws(ConfigurationError) {
        guard accepted.contains(apiVersion) else {
            let field = document.child("apiVersion")
            throw field.error(apiVersion.isEmpty
                ? "is required (\(accepted.joined(separator: " or ")))"
                : "'\(apiVersion)' is not supported here; use \(accepted.joined(separator: " or "))")
        }
    }

    /// The resource files `path` names: itself, or the `.yaml`/`.yml` files in the folder, by name.
    public static func resourceFiles(at path: String) throws -> [String] {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw ConfigurationError(file: path, document: 0, field: "", message: "no such file or folder (--resources-path)")
        }
        guard isDirectory.boolValue else { return [path] }
        let names = try FileManager.default.contentsOfDirectory(atPath: path)
        return names
            .filter { $0.hasSuffix(".yaml") || $0.hasSuffix(".yml") }
            .sorted()
            .map { path.hasSuffix("/") ? path + $0 : path + "/" + $0 }
    }
}
