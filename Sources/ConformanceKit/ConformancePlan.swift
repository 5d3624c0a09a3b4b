import Foundation
import OutriggerCore
import Yams

/// `conformance/tests.yml`: which component profiles run which steps, with which knobs.
public struct ConformancePlan: Sendable {
    /// One `{component, profile, operations, config}` item.
    public struct Entry: Sendable, CustomStringConvertible {
        public enum Kind: String, Sendable { case pubsub, bindings }

        public var kind: Kind
        public var component: String
        public var profile: String
        public var operations: Set<String>
        public var messageCount: Int
        public var maxReadDuration: Duration
        /// `host:port` that must answer for the component to be tested.
        public var requires: String?

        public var description: String { "\(kind.rawValue).\(component)/\(profile)" }
    }

    public let root: URL
    public let entries: [Entry]

    /// Reads `tests.yml` in `root` (the `conformance/` folder).
    public init(root: URL) throws {
        self.root = root
        let file = root.appendingPathComponent("tests.yml")
        let text = try String(contentsOf: file, encoding: .utf8)
        guard let document = try Yams.load(yaml: text) as? [String: Any] else {
            throw ConformanceError("\(file.path): expected a mapping with 'pubsub' and 'bindings' lists")
        }
        var entries: [Entry] = []
        for kind in [Entry.Kind.pubsub, .bindings] {
            for (index, item) in ((document[kind.rawValue] as? [[String: Any]]) ?? []).enumerated() {
                let place = "\(file.lastPathComponent): \(kind.rawValue)[\(index)]"
                guard let component = item["component"] as? String else { throw ConformanceError("\(place): 'component' is required") }
                let config = item["config"] as? [String: Any] ?? [:]
                var maxRead = Duration.seconds(60)
                if let text = config["maxReadDuration"].map({ "\($0)" }) {
                    do { maxRead = try GoDuration.parse(text) } catch { throw ConformanceError("\(place): config.maxReadDuration: \(error)") }
                }
                entries.append(Entry(
                    kind: kind, component: component, profile: item["profile"] as? String ?? "default",
                    operations: Set((item["operations"] as? [String]) ?? []),
                    messageCount: config["messageCount"] as? Int ?? 10,
                    maxReadDuration: maxRead,
                    requires: config["requires"] as? String))
            }
        }
        self.entries = entries
    }

    /// The Component document of `entry`, with `${{ENV}}` and `$((uuid))` replaced.
    public func componentSpec(for entry: Entry, environment: [String: String] = ProcessInfo.processInfo.environment) throws -> ComponentSpec {
        let file = root.appendingPathComponent("\(entry.kind.rawValue)/\(entry.component)/\(entry.profile)/component.yaml")
        let text = try Self.substitute(try String(contentsOf: file, encoding: .utf8), environment: environment, file: file.path)
        var set = ResourceSet()
        try ResourceLoader.load(text: text, file: file.path, into: &set)
        guard set.components.count == 1, let spec = set.components.first else {
            throw ConformanceError("\(file.path): must hold exactly one Component document, found \(set.components.count)")
        }
        return spec
    }

    /// Replaces `${{NAME}}` with the environment variable (unset is an error) and each
    /// `$((uuid))` with a new UUID.
    static func substitute(_ text: String, environment: [String: String], file: String) throws -> String {
        var result = ""
        var rest = text[...]
        while let start = rest.range(of: "${{") {
            result += rest[..<start.lowerBound]
            guard let end = rest[start.upperBound...].range(of: "}}") else {
                throw ConformanceError("\(file): unterminated '${{' placeholder")
            }
            let name = String(rest[start.upperBound..<end.lowerBound]).trimmingCharacters(in: .whitespaces)
            guard let value = environment[name] else {
                throw ConformanceError("\(file): environment variable \(name) is not set (placeholder ${{\(name)}})")
            }
            result += value
            rest = rest[end.upperBound...]
        }
        result += rest
        while let range = result.range(of: "$((uuid))") {
            result.replaceSubrange(range, with: UUID().uuidString.lowercased())
        }
        return result
    }
}

/// A problem with the suite's own data.
public struct ConformanceError: Error, Sendable, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}
