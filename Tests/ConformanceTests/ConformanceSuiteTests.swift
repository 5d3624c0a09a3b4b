import ConformanceKit
import Foundation
import Logging
import OutriggerComponents
import OutriggerCore
import Testing

/// Runs `conformance/tests.yml`: every listed component profile must pass every step.
///
/// A component whose broker (`config.requires`) does not answer is SKIPPED (its test case is
/// cancelled) with the reason; with `CI=true` that is a failure, so CI never passes on a suite
/// that did not run.
/// `OUTRIGGER_CONFORMANCE_COMPONENT=pubsub.in-memory` (or `in-memory`, or
/// `pubsub.in-memory/default`) runs one component; a value that names no profile fails.
@Suite("Conformance suite")
struct ConformanceSuiteTests {
    static let root = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("conformance")

    static var filter: String { ProcessInfo.processInfo.environment["OUTRIGGER_CONFORMANCE_COMPONENT"] ?? "" }

    static func matches(_ entry: ConformancePlan.Entry, _ filter: String) -> Bool {
        filter.isEmpty || [entry.component, "\(entry.kind.rawValue).\(entry.component)", entry.description].contains(filter)
    }

    static func entries() -> [ConformancePlan.Entry] {
        ((try? ConformancePlan(root: root).entries) ?? []).filter { matches($0, filter) }
    }

    @Test("tests.yml and every component.yaml it names load")
    func planLoads() throws {
        let plan = try ConformancePlan(root: Self.root)
        #expect(!plan.entries.isEmpty)
        for entry in plan.entries {
            let spec = try plan.componentSpec(for: entry, environment: ["PATH": "/usr/bin"].merging(ProcessInfo.processInfo.environment) { $1 })
            #expect(spec.type.hasPrefix(entry.kind.rawValue + "."), "\(entry): \(spec.type)")
        }
    }

    /// Without this a misspelt COMPONENT would run no profile and pass.
    @Test("OUTRIGGER_CONFORMANCE_COMPONENT (make conformance COMPONENT=...) names a profile")
    func filterNamesAProfile() throws {
        let filter = Self.filter
        let plan = try ConformancePlan(root: Self.root)
        #expect(
            plan.entries.contains { Self.matches($0, filter) },
            "COMPONENT=\(filter) matches no profile in conformance/tests.yml; the profiles are: \(plan.profileNames.joined(separator: ", "))")
    }

    @Test("component passes every step", arguments: entries())
    func component(_ entry: ConformancePlan.Entry) async throws {
        let plan = try ConformancePlan(root: Self.root)
        if let address = entry.requires, !BrokerProbe.answers(address) {
            let reason = "SKIPPED \(entry): nothing answers on \(address) (start it with `make brokers-up`)"
            print(reason)
            if ProcessInfo.processInfo.environment["CI"] == "true" {
                Issue.record("\(reason); in CI every listed component must run")
                return
            }
            // Swift 6.3's Test.cancel (ST-0016) ends this profile's test case as cancelled, not
            // passed. The console summary does not show a cancelled test case, so
            // scripts/test.sh counts it from swift-testing's event stream ("N skipped").
            try Test.cancel(Comment(rawValue: reason))
        }
        var profileSpec = try plan.componentSpec(for: entry)
        // The suite checks what a component does, not how fast a loaded box starts it: every
        // profile runs beside the whole test run, and Dapr's default 5 s `initTimeout` was
        // missed there once (a Redis connect and INFO queued behind hundreds of starting tests).
        profileSpec.initTimeout = max(profileSpec.initTimeout, .seconds(60))
        let spec = profileSpec
        let report: ConformanceReport
        switch entry.kind {
        case .pubsub:
            let suite = PubSubConformance(entry: entry) {
                let component = try await ComponentFactory.build(spec, appID: "conformance")
                guard let pubsub = component as? any PubSub else { throw ConformanceError("\(spec.type) is not a pub/sub component") }
                return pubsub
            }
            report = await suite.run(subject: entry.description)
            #expect(report.result(of: PubSubConformance.Step.verify.rawValue) == .passed)
        case .bindings:
            let suite = BindingConformance(entry: entry) {
                try await ComponentFactory.build(spec, appID: "conformance")
            }
            report = await suite.run(subject: entry.description)
        }
        print(report)
        for failure in report.failures { Issue.record("\(entry) \(failure)") }
    }
}

/// Whether something accepts TCP connections at `host:port`.
enum BrokerProbe {
    static func answers(_ address: String) -> Bool {
        let parts = address.split(separator: ":")
        guard parts.count == 2, let port = Int(parts[1]) else { return false }
        return TCPPortCheck.accepts(host: String(parts[0]), port: port)
    }
}
