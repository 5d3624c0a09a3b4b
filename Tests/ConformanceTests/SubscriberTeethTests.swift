import ConformanceKit
import Testing

/// Each broken subscriber-side double fails the step that guards against its fault.
@Suite("Conformance suite catches broken subscribers")
struct SubscriberTeethTests {
    @Test("a broker that delivers to the wrong topic fails 'multiplehandlers'")
    func wrongTopic() async {
        let report = await Teeth.run { CrossTopicPubSub(base: $0) }
        #expect(Teeth.failed(report.result(of: "multiplehandlers")), "\(report)")
    }

    @Test("a subscription that keeps delivering after cancel fails 'stopsubscribers'")
    func ignoresCancel() async {
        let report = await Teeth.run { IgnoresCancelPubSub(base: $0) }
        #expect(Teeth.failed(report.result(of: "stopsubscribers")), "\(report)")
    }

    @Test("a subscription that starts a handler call after its cancel returned fails 'stopsubscribers'")
    func stopsLate() async {
        // Patient: with the 1 s bound, a loaded box let the other subscription's messages come
        // late, and the step failed for that reason first.
        let report = await Teeth.run(maxReadDuration: Teeth.patient) { LateStopPubSub(base: $0) }
        guard case .failed(let reason) = report.result(of: "stopsubscribers") else {
            Issue.record("stopsubscribers did not fail: \(report)")
            return
        }
        #expect(reason.contains("after its cancel() returned"), "\(report)")
    }

    @Test("a broker that gives every subscriber of a group every message fails 'competingconsumers'")
    func fansOutWithinGroup() async {
        let report = await Teeth.run { FanOutGroupPubSub(base: $0) }
        #expect(Teeth.failed(report.result(of: "competingconsumers")), "\(report)")
    }

    @Test("fanning out within a group fails 'competingconsumers' even with config.duplicates: allowed")
    func fansOutWithinGroupDespiteAllowedDuplicates() async {
        let report = await Teeth.run(duplicates: .allowed) { FanOutGroupPubSub(base: $0) }
        #expect(Teeth.failed(report.result(of: "competingconsumers")), "\(report)")
    }

    @Test("a broker that acknowledges the in-flight message when its subscriber closes fails 'inflightdrain'")
    func dropsInFlightOnCancel() async {
        let report = await Teeth.run { DropsInFlightOnCancelPubSub(base: $0) }
        #expect(Teeth.failed(report.result(of: "inflightdrain")), "\(report)")
    }

    @Test("tests.yml's old name 'drain' still runs 'inflightdrain'")
    func drainAlias() async {
        let report = await Teeth.run(operations: ["drain"]) { DropsInFlightOnCancelPubSub(base: $0) }
        #expect(Teeth.failed(report.result(of: "inflightdrain")), "\(report)")
    }

    @Test("a subscriber that loses messages when handlers run concurrently fails 'bulksubscribe'")
    func losesUnderConcurrency() async {
        let report = await Teeth.run { ConcurrencyLosingPubSub(base: $0) }
        #expect(Teeth.failed(report.result(of: "bulksubscribe")), "\(report)")
    }
}
