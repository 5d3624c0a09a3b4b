import OutriggerDelivery
import OutriggerTesting
import Testing

/// Seeded variations of the bulk-publish bodies `make fuzz` starts from
/// (fuzz/corpus/FuzzBulkPublish): every one parses or is a 400 the app can read.
@Suite("Bulk-publish body on hostile input")
struct BulkPublishBodyHostileInputTests {
    @Test("every variation of a real bulk body parses or is refused with a reason")
    func parsesOrRejects() {
        var mutator = InputMutator(seed: 0xB01C_0001, seeds: InputMutator.corpus("FuzzBulkPublish"))
        for _ in 0..<400 {
            let input = mutator.next()
            do {
                _ = try BulkPublishBody.parse(input, metadata: [:])
            } catch {
                #expect(!error.message.isEmpty)
            }
        }
    }
}
