import Testing
@testable import NATSClient

@Suite("Signing the server nonce")
struct NonceSignerTests {
    /// A user NKey seed (prefix SU) of the Ed25519 seed bytes 1...32.
    static let seed = "SUAACAQDAQCQMBYIBEFAWDANBYHRAEISCMKBKFQXDAMRUGY4DUPB6IC5CQ"

    @Test("a user seed signs a nonce with a 64-byte Ed25519 signature, the same each time")
    func signs() throws {
        let signature = try NATSNonceSigner.sign(seed: Self.seed, nonce: "nonce-1")
        #expect(signature.count == 64)
        #expect(try NATSNonceSigner.sign(seed: Self.seed, nonce: "nonce-1") == signature)
        #expect(try NATSNonceSigner.sign(seed: Self.seed, nonce: "nonce-2") != signature)
    }

    @Test("a malformed seed is refused")
    func refusesMalformedSeed() {
        #expect(throws: NATSError.self) { _ = try NATSNonceSigner.sign(seed: "SUNOTASEED", nonce: "nonce") }
    }
}
