import CRdKafka

extension KafkaRecord {
    /// Copies a consumed message out of librdkafka's buffers.
    init(_ message: UnsafeMutablePointer<rd_kafka_message_t>, fetchEpoch: UInt64) {
        let pointee = message.pointee
        topic = pointee.rkt.map { String(cString: rd_kafka_topic_name($0)) } ?? ""
        partition = pointee.partition
        offset = pointee.offset
        key = pointee.key.map { Array(UnsafeRawBufferPointer(start: $0, count: pointee.key_len)) }
        value = pointee.payload.map { Array(UnsafeRawBufferPointer(start: $0, count: pointee.len)) }
        var timestampType = RD_KAFKA_TIMESTAMP_NOT_AVAILABLE
        let milliseconds = rd_kafka_message_timestamp(message, &timestampType)
        timestamp = milliseconds >= 0 ? milliseconds : nil
        headers = []
        var list: OpaquePointer?
        if rd_kafka_message_headers(message, &list) == RD_KAFKA_RESP_ERR_NO_ERROR, let list {
            var index = 0
            var name: UnsafePointer<CChar>?
            var bytes: UnsafeRawPointer?
            var size = 0
            while rd_kafka_header_get_all(list, index, &name, &bytes, &size) == RD_KAFKA_RESP_ERR_NO_ERROR {
                let value = bytes.map { Array(UnsafeRawBufferPointer(start: $0, count: size)) }
                headers.append(KafkaHeader(name: name.map { String(cString: $0) } ?? "", value: value))
                index += 1
            }
        }
        self.fetchEpoch = fetchEpoch
    }
}
