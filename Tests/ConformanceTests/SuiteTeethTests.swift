import BuiltinComponents
import ConformanceKit
import OutriggerCore
import Testing

/// The suite must catch broken components: each deliberately broken double fails the step
/// that guards against its fault. These cover the publishing side and `verify`.
@Suite("Conformance suite catches broken publishing")
struct SuiteTeethTests {
    @Test("the correct in-memory broker passes every step, so the doubles fail for their fault alone")
    func baseline() async {
        let report = await Teeth.run(maxReadDuration: Teeth.patient) { $0 }
        #expect(report.failures.isEmpty, "\(report)")
        #expect(report.result(of: "ping") == .passed, "\(report)")
        #expect(report.result(of: "ordering") == .passed, "\(report)")
        #expect(report.result(of: "inflightdrain") == .passed, "\(report)")
        // ttl runs once the in-memory broker declares messageTTL; until then it is skipped.
        let declaresTTL = (try? InMemoryPubSub(metadata: ComponentMetadata(name: "probe", type: "pubsub.in-memory")))?.features.contains(.messageTTL) == true
        let ttl = report.result(of: "ttl")
        #expect(declaresTTL ? ttl == .passed : Teeth.skipped(ttl), "\(report)")
    }

    @Test("a component whose ping throws fails 'ping'")
    func pingThrows() async {
        let report = await Teeth.run { PingFailingPubSub(base: $0) }
        #expect(Teeth.failed(report.result(of: "ping")), "\(report)")
    }

    @Test("a broker that refuses publishes fails 'publish'")
    func publishThrows() async {
        let report = await Teeth.run { PublishFailingPubSub(base: $0) }
        #expect(Teeth.failed(report.result(of: "publish")), "\(report)")
    }

    @Test("a bulk publish that reports failed entries fails 'bulkpublish'")
    func bulkPublishReportsFailures() async {
        let report = await Teeth.run { BulkFailingPubSub(base: $0) }
        #expect(Teeth.failed(report.result(of: "bulkpublish")), "\(report)")
    }

    @Test("a bulk publish that silently loses entries fails 'bulkpublish'")
    func bulkPublishLosesEntries() async {
        let report = await Teeth.run { BulkLosingPubSub(base: $0) }
        #expect(Teeth.failed(report.result(of: "bulkpublish")), "\(report)")
        #expect(Teeth.failed(report.result(of: "verify")), "\(report)")
    }

    @Test("a broker that loses one message in N fails 'verify'")
    func dropsMessages() async {
        let report = await Teeth.run { DroppingPubSub(base: $0) }
        #expect(Teeth.failed(report.result(of: "verify")), "\(report)")
    }

    @Test("a broker that delivers an acknowledged message again fails 'verify'")
    func duplicatesAckedMessages() async {
        let report = await Teeth.run { DuplicatingPubSub(base: $0, every: 1) }
        #expect(Teeth.failed(report.result(of: "verify")), "\(report)")
    }

    @Test("with config.duplicates: allowed, a few duplicates are counted and reported, not failed")
    func allowedDuplicatesAreReported() async {
        let report = await Teeth.run(duplicates: .allowed, maxReadDuration: Teeth.patient) { DuplicatingPubSub(base: $0, every: 5) }
        #expect(report.result(of: "verify") == .passed, "\(report)")
        #expect(report.detail(of: "verify")?.contains(" 0 duplicates") == false, "\(report)")
    }

    @Test("with config.duplicates: allowed, a duplicate of every message still fails 'verify'")
    func allowedDuplicatesAreBounded() async {
        let report = await Teeth.run(duplicates: .allowed) { DuplicatingPubSub(base: $0, every: 1) }
        #expect(Teeth.failed(report.result(of: "verify")), "\(report)")
    }

    @Test("a broker that acknowledges before the handler finished fails 'redelivery' and 'inflightdrain'")
    func acksBeforeHandler() async {
        let report = await Teeth.run { AckFirstPubSub(base: $0) }
        #expect(Teeth.failed(report.result(of: "redelivery")), "\(report)")
        #expect(Teeth.failed(report.result(of: "inflightdrain")), "\(report)")
    }
}
