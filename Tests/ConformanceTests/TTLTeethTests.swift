import ConformanceKit
import Testing

/// The ttl step passes for a broker that honours `ttlInSeconds` and fails for one that ignores it.
/// Each run takes a little over a second: the step must wait for the TTL to pass.
@Suite("Conformance suite catches broken TTL")
struct TTLTeethTests {
    @Test("a broker that honours ttlInSeconds passes 'ttl'")
    func honoursTTL() async {
        let report = await Teeth.run(maxReadDuration: Teeth.patient) { TTLHonouringPubSub(base: $0) }
        #expect(report.result(of: "ttl") == .passed, "\(report)")
    }

    @Test("a broker that declares messageTTL but ignores ttlInSeconds fails 'ttl'")
    func ignoresTTL() async {
        let report = await Teeth.run { TTLIgnoringPubSub(base: $0) }
        #expect(Teeth.failed(report.result(of: "ttl")), "\(report)")
    }
}
