import CloudEvents
import Testing

@Suite("Id generator")
struct FastRandomTests {
    @Test("100,000 draws are distinct, and every bit position takes both values")
    func distinctAndMixed() {
        let draws = (0..<100_000).map { _ in FastRandom.next() }
        #expect(Set(draws).count == draws.count)
        let ones = draws.reduce(UInt64(0)) { $0 | $1 }
        let zeros = draws.reduce(UInt64(0)) { $0 | ~$1 }
        #expect(ones == .max && zeros == .max, "some bit never changed")
    }
}
