@testable import KafkaClient
import OutriggerTesting
import Synchronization
import Testing

@Suite("TopicLookups: each topic's metadata asked for once, before its first record")
struct TopicLookupsTests {
    /// A lookup that ends when the test says so, and counts its calls per topic.
    final class HeldLookup: Sendable {
        let calls = Mutex<[String: Int]>([:])
        let gate = Mutex<[CheckedContinuation<Void, Never>]>([])

        func lookUp(_ topic: String) async {
            calls.withLock { $0[topic, default: 0] += 1 }
            await withCheckedContinuation { continuation in gate.withLock { $0.append(continuation) } }
        }

        func release() {
            for waiter in gate.withLock({ gate in defer { gate = [] }; return gate }) { waiter.resume() }
        }

        var waiting: Int { gate.withLock { $0.count } }
    }

    final class Counter: Sendable {
        let value = Atomic<Int>(0)
    }

    @Test("concurrent first records share one lookup and all wait for it; a known topic is not looked up again")
    func sharedLookup() async throws {
        let held = HeldLookup()
        let lookups = TopicLookups { await held.lookUp($0) }
        let returned = Counter()
        try await withThrowingTaskGroup(of: Void.self) { group in
            for _ in 0..<20 {
                group.addTask {
                    await lookups.ensureLookedUp("orders")
                    returned.value.add(1, ordering: .relaxed)
                }
            }
            try await withDeadline(.seconds(60), "the lookup to start") {
                while held.waiting == 0 { await Task.yield() }
            }
            // Every caller is held by the one lookup under way.
            #expect(returned.value.load(ordering: .relaxed) == 0)
            held.release()
            try await group.waitForAll()
        }
        #expect(returned.value.load(ordering: .relaxed) == 20)
        await lookups.ensureLookedUp("orders")
        #expect(held.calls.withLock { $0 } == ["orders": 1])
        #expect(lookups.lookupCount == 1)
    }

    @Test("each topic has its own lookup")
    func perTopic() async throws {
        let held = HeldLookup()
        let lookups = TopicLookups { await held.lookUp($0) }
        async let first: Void = lookups.ensureLookedUp("a")
        async let second: Void = lookups.ensureLookedUp("b")
        try await withDeadline(.seconds(60), "both lookups to start") {
            while held.waiting < 2 { await Task.yield() }
        }
        held.release()
        _ = await (first, second)
        #expect(held.calls.withLock { $0 } == ["a": 1, "b": 1])
    }

    @Test("a producer looks a topic up before its first record only, and the record is delivered")
    func producerLooksUpOnce() async throws {
        try KafkaTestBroker.require()
        let topic = KafkaTestBroker.unique("client-lookup")
        let producer = try KafkaProducer(configuration: KafkaTestBroker.producerConfiguration())
        try await producer.ping()
        #expect(producer.topicLookups.lookupCount == 0)
        let reports = await producer.send((0..<3).map { KafkaProducerRecord(topic: topic, partition: 0, value: Array("\($0)".utf8)) })
        #expect(try reports.map { try $0.get().offset } == [0, 1, 2])
        _ = try await producer.send(KafkaProducerRecord(topic: topic, partition: 0, value: Array("3".utf8)))
        #expect(producer.topicLookups.lookupCount == 1)
        await producer.close()
    }
}
