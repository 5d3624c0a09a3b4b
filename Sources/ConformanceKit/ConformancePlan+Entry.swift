import OutriggerCore

extension ConformancePlan.Entry {
    /// Reads one `tests.yml` item; `place` names it in errors. Unknown pub/sub operations and
    /// features are refused, so a misspelt step name cannot silently switch a step off.
    init(kind: Kind, item: [String: Any], place: String) throws {
        guard let component = item["component"] as? String else { throw ConformanceError("\(place): 'component' is required") }
        let config = item["config"] as? [String: Any] ?? [:]
        func duration(_ key: String, default value: Duration) throws -> Duration {
            guard let text = config[key].map({ "\($0)" }) else { return value }
            do { return try GoDuration.parse(text) } catch { throw ConformanceError("\(place): config.\(key): \(error)") }
        }
        let operations = Set((item["operations"] as? [String]) ?? [])
        let features = Set((item["features"] as? [String]) ?? [])
        if kind == .pubsub {
            let unknownOperations = operations.subtracting(PubSubConformance.optionalOperations)
            guard unknownOperations.isEmpty else {
                throw ConformanceError("\(place): unknown operations \(unknownOperations.sorted()); known: \(PubSubConformance.optionalOperations.sorted())")
            }
            let unknownFeatures = features.subtracting(PubSubConformance.declarableFeatures)
            guard unknownFeatures.isEmpty else {
                throw ConformanceError("\(place): unknown features \(unknownFeatures.sorted()); known: \(PubSubConformance.declarableFeatures.sorted())")
            }
        }
        let messageCount = config["messageCount"] as? Int ?? 10
        guard messageCount >= 1 else { throw ConformanceError("\(place): config.messageCount must be at least 1") }
        let duplicatesText = config["duplicates"].map { "\($0)" } ?? DuplicatePolicy.forbidden.rawValue
        guard let duplicates = DuplicatePolicy(rawValue: duplicatesText) else {
            throw ConformanceError("\(place): config.duplicates must be 'allowed' or 'forbidden', not '\(duplicatesText)'")
        }
        self.init(
            kind: kind, component: component, profile: item["profile"] as? String ?? "default",
            operations: operations, features: features, messageCount: messageCount,
            maxReadDuration: try duration("maxReadDuration", default: .seconds(60)),
            settleDuration: try duration("settleDuration", default: .seconds(1)),
            duplicates: duplicates, requires: config["requires"] as? String)
        if let metadata = config["requestMetadata"] {
            guard let fields = metadata as? [String: Any] else { throw ConformanceError("\(place): config.requestMetadata must map names to values") }
            requestMetadata = fields.mapValues { "\($0)" }
        }
    }
}
