import KafkaClient
import OutriggerTesting
import Testing

@Suite("KafkaClient against the Kafka on 9092")
struct KafkaClientTests {
    @Test("a produced record comes back with its key, headers and partition")
    func roundTrip() async throws {
        try KafkaTestBroker.require()
        let topic = KafkaTestBroker.unique("client-roundtrip")
        let producer = try KafkaProducer(configuration: KafkaTestBroker.producerConfiguration())
        let report = try await producer.send(KafkaProducerRecord(
            topic: topic, partition: 2, key: Array("k".utf8), value: Array("hello".utf8),
            headers: [KafkaHeader(name: "h", value: Array("v".utf8))]))
        #expect(report.partition == 2)
        let consumer = try KafkaConsumer(
            configuration: KafkaTestBroker.consumerConfiguration(group: KafkaTestBroker.unique("g")), topics: [topic], startPosition: .beginning)
        let record = try await withDeadline(.seconds(60), "the record") {
            while true {
                if let first = try await consumer.poll(max: 10)?.first { return first }
            }
        }
        #expect(record.value == Array("hello".utf8))
        #expect(record.key == Array("k".utf8))
        #expect(record.partition == 2)
        #expect(record.offset == report.offset)
        #expect(record.headers == [KafkaHeader(name: "h", value: Array("v".utf8))])
        await consumer.close()
        await producer.close()
    }

    @Test("concurrent sends each get their own delivery report")
    func concurrentSends() async throws {
        try KafkaTestBroker.require()
        let topic = KafkaTestBroker.unique("client-concurrent")
        let producer = try KafkaProducer(configuration: KafkaTestBroker.producerConfiguration())
        let offsets = try await withThrowingTaskGroup(of: KafkaDeliveryReport.self) { group in
            for index in 0..<200 {
                group.addTask { try await producer.send(KafkaProducerRecord(topic: topic, partition: 0, value: Array("\(index)".utf8))) }
            }
            return try await group.reduce(into: []) { $0.append($1.offset) }
        }
        #expect(Set(offsets).count == 200)
        #expect(offsets.min() == 0 && offsets.max() == 199)
        await producer.close()
    }

    @Test("a rewound partition is read again from the offset")
    func rewind() async throws {
        try KafkaTestBroker.require()
        let topic = KafkaTestBroker.unique("client-rewind")
        let producer = try KafkaProducer(configuration: KafkaTestBroker.producerConfiguration())
        for index in 0..<5 { _ = try await producer.send(KafkaProducerRecord(topic: topic, partition: 0, value: Array("\(index)".utf8))) }
        let consumer = try KafkaConsumer(
            configuration: KafkaTestBroker.consumerConfiguration(group: KafkaTestBroker.unique("g")), topics: [topic], startPosition: .beginning)
        let first = try await read(consumer, count: 5)
        #expect(first.map(\.offset) == [0, 1, 2, 3, 4])
        consumer.rewind(first[2].topicPartition, to: 2)
        let again = try await read(consumer, count: 3)
        #expect(again.map(\.offset) == [2, 3, 4])
        #expect(again.allSatisfy { $0.fetchEpoch > first[0].fetchEpoch })
        await consumer.close()
        await producer.close()
    }

    @Test("a small read-ahead buffer pauses and resumes without losing or repeating a record")
    func readAheadBound() async throws {
        try KafkaTestBroker.require()
        let topic = KafkaTestBroker.unique("client-readahead")
        let producer = try KafkaProducer(configuration: KafkaTestBroker.producerConfiguration())
        let results = await producer.send((0..<300).map { KafkaProducerRecord(topic: topic, partition: Int32($0 % 2), value: Array("\($0)".utf8)) })
        #expect(results.allSatisfy { (try? $0.get()) != nil })
        let consumer = try KafkaConsumer(
            configuration: KafkaTestBroker.consumerConfiguration(group: KafkaTestBroker.unique("g")), topics: [topic], startPosition: .beginning,
            readAhead: 4)
        var seen: [Int32: [Int64]] = [:]
        for record in try await read(consumer, count: 300, batch: 1) { seen[record.partition, default: []].append(record.offset) }
        #expect(seen[0] == Array(0..<150))
        #expect(seen[1] == Array(0..<150))
        await consumer.close()
        await producer.close()
    }

    @Test("with start position end, a record produced once the assignment is there arrives")
    func startAtEnd() async throws {
        try KafkaTestBroker.require()
        let topic = KafkaTestBroker.unique("client-end")
        let producer = try KafkaProducer(configuration: KafkaTestBroker.producerConfiguration())
        _ = try await producer.send(KafkaProducerRecord(topic: topic, partition: 0, value: Array("before".utf8)))
        let consumer = try KafkaConsumer(
            configuration: KafkaTestBroker.consumerConfiguration(group: KafkaTestBroker.unique("g")), topics: [topic], startPosition: .end)
        try await withDeadline(.seconds(60), "the assignment") { await consumer.waitForAssignment() }
        _ = try await producer.send(KafkaProducerRecord(topic: topic, partition: 0, value: Array("after".utf8)))
        let records = try await read(consumer, count: 1)
        #expect(records.map { String(decoding: $0.value ?? [], as: UTF8.self) } == ["after"])
        await consumer.close()
        await producer.close()
    }

    private func read(_ consumer: KafkaConsumer, count: Int, batch: Int = 100) async throws -> [KafkaRecord] {
        try await withDeadline(.seconds(60), "\(count) records") {
            var records: [KafkaRecord] = []
            while records.count < count {
                guard let more = try await consumer.poll(max: min(batch, count - records.count)) else { break }
                records += more
            }
            return records
        }
    }
}
