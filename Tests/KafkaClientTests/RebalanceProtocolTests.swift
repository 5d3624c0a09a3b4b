import CRdKafka
import Foundation
@testable import KafkaClient
import OutriggerTesting
import Synchronization
import Testing

@Suite("A rebalance when librdkafka cannot name the group's protocol")
struct RebalanceProtocolTests {
    @Test("with no protocol to read (a consumer outside a group, as one closing) the rebalance is eager and a revoke completes")
    func noProtocol() async throws {
        // Without group.id librdkafka has no group to ask and answers NULL, as it does for a
        // consumer whose group is gone during its close, when the last revoke comes.
        let conf = try KafkaConfiguration([("bootstrap.servers", KafkaTestBroker.address)]).makeConf()
        let handle = try RDKafkaHandle(type: RD_KAFKA_CONSUMER, conf: conf)
        defer { handle.destroy() }
        #expect(rd_kafka_rebalance_protocol(handle.pointer) == nil)
        let revoked = Mutex<[KafkaTopicPartition]?>(nil)
        let loop = ConsumerLoop(startPosition: .beginning, readAhead: 10, onAssign: { _ in }, onRevoke: { partitions in
            revoked.withLock { $0 = partitions }
            return [:]
        })
        #expect(!loop.isCooperative(handle.pointer))
        // The rebalance callback runs on librdkafka's poll thread and blocks it while the
        // revocation handler runs: a thread of its own here too. Reading NULL crashed it.
        let finished = Mutex(false)
        Thread.detachNewThread {
            loop.rebalance(handle.pointer, error: RD_KAFKA_RESP_ERR__REVOKE_PARTITIONS, partitions: nil)
            finished.withLock { $0 = true }
        }
        try await withDeadline(.seconds(60), "the revoke to return") {
            while !finished.withLock({ $0 }) { try await Task.sleep(for: .milliseconds(10)) }
        }
        #expect(revoked.withLock { $0 } == [])
    }
}
