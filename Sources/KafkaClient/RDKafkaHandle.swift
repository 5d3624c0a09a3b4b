import CRdKafka

/// An `rd_kafka_t` and the thread that polls it.
///
/// `@unchecked Sendable` because librdkafka's handle is thread-safe for everything this module
/// calls from several threads (produce, seek, offsets store, pause, queue yield); the calls
/// that are not (poll, consumer close, destroy) run on the handle's own poll thread only.
final class RDKafkaHandle: @unchecked Sendable {
    let pointer: OpaquePointer

    /// Takes ownership of `conf` (librdkafka frees it once the handle exists).
    init(type: rd_kafka_type_t, conf: OpaquePointer) throws(KafkaError) {
        var buffer = [CChar](repeating: 0, count: 512)
        guard let pointer = rd_kafka_new(type, conf, &buffer, buffer.count) else {
            rd_kafka_conf_destroy(conf)
            throw KafkaError(code: RD_KAFKA_RESP_ERR__INVALID_ARG.rawValue, message: String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self))
        }
        self.pointer = pointer
    }

    /// Called on the poll thread once it is done with the handle.
    func destroy() {
        rd_kafka_destroy(pointer)
    }

    /// For a consumer whose `rd_kafka_consumer_close` was called already, whatever it answered.
    /// A plain `rd_kafka_destroy` closes the consumer again when the first close did not finish
    /// (librdkafka 2.0.2 after a close that timed out during a rebalance), and that second close
    /// waits without a bound: a test run hung there for good.
    func destroyClosedConsumer() {
        rd_kafka_destroy_flags(pointer, RD_KAFKA_DESTROY_F_NO_CONSUMER_CLOSE)
    }
}
