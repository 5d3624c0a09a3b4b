import CRdKafka

/// Conversions between Swift partitions and `rd_kafka_topic_partition_list_t`.
enum TopicPartitionList {
    /// A new list the caller destroys; `offsets` sets each partition's offset when given.
    static func make(_ partitions: [KafkaTopicPartition], offsets: [KafkaTopicPartition: Int64] = [:]) -> UnsafeMutablePointer<rd_kafka_topic_partition_list_t> {
        let list = rd_kafka_topic_partition_list_new(Int32(clamping: partitions.count))!
        for partition in partitions {
            let element = rd_kafka_topic_partition_list_add(list, partition.topic, partition.partition)!
            if let offset = offsets[partition] { element.pointee.offset = offset }
        }
        return list
    }

    /// The partitions of `list` with their offsets (librdkafka's logical offsets are negative).
    static func read(_ list: UnsafePointer<rd_kafka_topic_partition_list_t>?) -> [(KafkaTopicPartition, Int64)] {
        guard let list, let elements = list.pointee.elems else { return [] }
        return (0..<Int(list.pointee.cnt)).map { index in
            let element = elements[index]
            return (KafkaTopicPartition(topic: String(cString: element.topic), partition: element.partition), element.offset)
        }
    }
}
