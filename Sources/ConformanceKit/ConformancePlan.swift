import Foundation
import OutriggerCore
import Yams

/// `conformance/tests.yml`: which component profiles run which steps, with which knobs.
public struct ConformancePlan: Sendable {
    /// One `{component, profile, operations, features, config}` item.
    public struct Entry: Sendable, CustomStringConvertible {
        public enum Kind: String, Sendable { case pubsub, bindings }

        public var kind: Kind
        public var component: String
        public var profile: String
        /// Optional steps (and, for bindings, the operations the binding must list) to run.
        public var operations: Set<String>
        /// What the broker guarantees beyond the required contract, e.g. `ordering`.
        public var features: Set<String>
        /// Messages per step (`config.messageCount`, default 10).
        public var messageCount: Int
        /// How long a step waits for its messages (`config.maxReadDuration`, default 60s).
        public var maxReadDuration: Duration
        /// How long a step keeps listening after its last expected message, to catch late
        /// duplicates and stray deliveries (`config.settleDuration`, default 1s).
        public var settleDuration: Duration
        /// Whether the broker may deliver an acknowledged message again (`config.duplicates`).
        public var duplicates: DuplicatePolicy
        /// `host:port` that must answer for the component to be tested.
        public var requires: String?
        /// Request metadata every binding invocation of the steps carries
        /// (`config.requestMetadata`), for bindings that need a field such as `key`.
        public var requestMetadata: [String: String] = [:]

        public var description: String { "\(kind.rawValue).\(component)/\(profile)" }

        /// Whether the profile declares `name` as an operation or as a feature.
        public func declares(_ name: String) -> Bool { operations.contains(name) || features.contains(name) }
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
                entries.append(try Entry(kind: kind, item: item, place: "\(file.lastPathComponent): \(kind.rawValue)[\(index)]"))
            }
        }
        self.entries = entries
    }

    /// Every profile, as `kind.component/profile`, for messages that list what exists.
    public var profileNames: [String] { entries.map(\.description) }

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
