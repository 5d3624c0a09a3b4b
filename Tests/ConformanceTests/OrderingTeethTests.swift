import ConformanceKit
import Testing

/// The ordering step passes for a correct double and fails for a broken one, in both phases.
@Suite("Conformance suite catches broken ordering")
struct OrderingTeethTests {
    @Test("a broker that swaps messages of one key fails 'ordering'")
    func reorders() async {
        let report = await Teeth.run { ReorderingPubSub(base: $0) }
        #expect(Teeth.failed(report.result(of: "ordering")), "\(report)")
    }

    @Test("'ordering' runs when tests.yml lists ordering under features or operations, and only then")
    func orderingIsDeclared() async {
        let asOperation = await Teeth.run(operations: ["ordering"], features: []) { ReorderingPubSub(base: $0) }
        #expect(Teeth.failed(asOperation.result(of: "ordering")), "\(asOperation)")
        let undeclared = await Teeth.run(operations: [], features: []) { ReorderingPubSub(base: $0) }
        #expect(Teeth.skipped(undeclared.result(of: "ordering")), "\(undeclared)")
    }

    @Test("a broker that keeps order per key under maxConcurrency 8 passes the 'keyordering' phase")
    func keyOrdered() async {
        let report = await Teeth.run(features: ["ordering", "keyordering"], maxReadDuration: Teeth.patient) { KeyOrderedPubSub(base: $0) }
        #expect(report.result(of: "ordering") == .passed, "\(report)")
        #expect(report.detail(of: "ordering")?.contains("per key") == true, "\(report)")
    }

    @Test("a broker that ignores orderedByKey fails 'ordering' in its per-key phase only")
    func ignoresOrderedByKey() async {
        let keyed = await Teeth.run(features: ["ordering", "keyordering"], maxReadDuration: Teeth.patient) { KeyOrderIgnoringPubSub(base: $0) }
        guard case .failed(let reason) = keyed.result(of: "ordering") else {
            Issue.record("ordering did not fail: \(keyed)")
            return
        }
        #expect(reason.contains("per key"), "\(keyed)")
        let unkeyed = await Teeth.run(maxReadDuration: Teeth.patient) { KeyOrderIgnoringPubSub(base: $0) }
        #expect(unkeyed.result(of: "ordering") == .passed, "\(unkeyed)")
    }
}
