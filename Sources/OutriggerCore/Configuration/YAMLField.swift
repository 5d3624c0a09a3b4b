import Yams

/// A YAML node with the path that leads to it, so every error can name its field and line.
struct YAMLField {
    let node: Node?
    let path: String
    let context: DocumentContext

    /// The file and document being read; collects warnings about fields it does not know.
    final class DocumentContext {
        let origin: ResourceOrigin
        var resource: String?
        var warnings: [String] = []

        init(origin: ResourceOrigin) { self.origin = origin }
    }

    /// Composes documents with Yams' basic resolver: every plain scalar stays text (Dapr's metadata
    /// values are strings, and the readers below parse numbers and booleans themselves). The
    /// default resolver compiles seven regular expressions at the first document and runs them for
    /// every key compared in a lookup. No constructor either: documents are read as nodes, never
    /// turned into Swift values.
    static func compose(_ text: String) throws -> YamlSequence<Node> {
        try Yams.compose_all(yaml: text, .basic, textOnly)
    }

    private static var textOnly: Constructor { Constructor([:], [:], [:]) }

    /// The root of a file that holds one YAML document (a Configuration, a run template).
    static func singleDocument(_ text: String, file: String) throws(ConfigurationError) -> YAMLField {
        let node: Node?
        do { node = try Parser(yaml: text, resolver: .basic, constructor: textOnly).singleRoot() } catch {
            throw ConfigurationError(file: file, document: 1, field: "", message: "not valid YAML: \(error)")
        }
        return YAMLField(node: node, path: "", context: DocumentContext(origin: ResourceOrigin(file: file, document: 1)))
    }

    func child(_ key: String) -> YAMLField {
        YAMLField(node: node?[key], path: path.isEmpty ? key : "\(path).\(key)", context: context)
    }

    /// Absent, or YAML's null: an empty plain value, `~`, `null` (any of its three spellings), or an
    /// explicit `!!null` tag.
    var isPresent: Bool {
        guard let node else { return false }
        guard case .scalar(let scalar) = node else { return true }
        if scalar.tag.rawValue == Tag.Name.null.rawValue { return false }
        guard scalar.style == .plain else { return true }
        return !Self.nullSpellings.contains(scalar.string)
    }

    private static let nullSpellings: Set<String> = ["", "~", "null", "Null", "NULL"]

    func error(_ message: String) -> ConfigurationError {
        ConfigurationError(
            file: context.origin.file, document: context.origin.document, resource: context.resource,
            field: path, line: node?.mark.map { $0.line }, message: message)
    }

    /// A scalar as text; numbers and booleans are read as their literal text (Dapr metadata values are strings).
    func string() throws(ConfigurationError) -> String? {
        guard isPresent, let node else { return nil }
        guard case .scalar(let scalar) = node else { throw error("must be a single value, not a \(node.kindName)") }
        return scalar.string
    }

    func requiredString() throws(ConfigurationError) -> String {
        guard let value = try string(), !value.isEmpty else { throw error("is required") }
        return value
    }

    func bool() throws(ConfigurationError) -> Bool? {
        guard let text = try string() else { return nil }
        switch text.lowercased() {
        case "true", "yes", "on": return true
        case "false", "no", "off": return false
        default: throw error("must be true or false, got '\(text)'")
        }
    }

    func int() throws(ConfigurationError) -> Int? {
        guard let text = try string() else { return nil }
        guard let value = Int(text) else { throw error("must be an integer, got '\(text)'") }
        return value
    }

    func duration() throws(ConfigurationError) -> Duration? {
        guard let text = try string() else { return nil }
        do { return try GoDuration.parse(text) } catch { throw self.error(error.description) }
    }

    /// The items of a sequence; absent means empty.
    func items() throws(ConfigurationError) -> [YAMLField] {
        guard isPresent, let node else { return [] }
        guard case .sequence(let sequence) = node else { throw error("must be a list, not a \(node.kindName)") }
        return sequence.enumerated().map { YAMLField(node: $1, path: "\(path)[\($0)]", context: context) }
    }

    /// The members of a mapping in document order; absent means empty.
    func members() throws(ConfigurationError) -> [(key: String, value: YAMLField)] {
        guard isPresent, let node else { return [] }
        guard case .mapping(let mapping) = node else { throw error("must be a mapping, not a \(node.kindName)") }
        return mapping.map { pair in
            let key = pair.key.string ?? ""
            return (key, YAMLField(node: pair.value, path: path.isEmpty ? key : "\(path).\(key)", context: context))
        }
    }

    func stringList() throws(ConfigurationError) -> [String] {
        var values: [String] = []
        for item in try items() { values.append(try item.requiredString()) }
        return values
    }

    /// A `key: value` mapping of strings (Subscription metadata and the like).
    func stringMap() throws(ConfigurationError) -> [String: String] {
        var values: [String: String] = [:]
        for (key, field) in try members() { values[key] = try field.string() ?? "" }
        return values
    }

    /// Records a warning for every member that is not in `known`; Dapr ignores unknown fields too.
    func warnAboutUnknownMembers(_ known: Set<String>) {
        guard let node, case .mapping(let mapping) = node else { return }
        for key in mapping.keys.compactMap(\.string) where !known.contains(key) {
            let line = node[key]?.mark.map { ":\($0.line)" } ?? ""
            context.warnings.append("\(context.origin.file)\(line): unknown field '\(path.isEmpty ? key : "\(path).\(key)")' ignored")
        }
    }
}

extension Node {
    var kindName: String {
        switch self {
        case .scalar: "value"
        case .mapping: "mapping"
        case .sequence: "list"
        case .alias: "alias"
        }
    }
}
