import Testing
@testable import NATSClient

@Suite("NATSConnectionOptions")
struct NATSConnectionOptionsTests {
    @Test("the JetStream API prefix follows apiPrefix, then domain, else $JS.API")
    func apiPrefix() {
        #expect(NATSConnectionOptions(url: "nats://x").jetStreamAPIPrefix == "$JS.API")
        #expect(NATSConnectionOptions(url: "nats://x", domain: "hub").jetStreamAPIPrefix == "$JS.hub.API")
        #expect(NATSConnectionOptions(url: "nats://x", domain: "hub", apiPrefix: "PREFIX.").jetStreamAPIPrefix == "PREFIX")
    }
}
