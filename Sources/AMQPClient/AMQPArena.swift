import CRabbitMQ

#if canImport(Glibc)
import Glibc
#endif

/// C memory for one call into rabbitmq-c: byte strings and tables allocated here stay valid
/// until ``release()``. Used only on the connection's thread.
final class AMQPArena {
    private var blocks: [UnsafeMutableRawPointer] = []

    deinit { release() }

    func release() {
        for block in blocks { free(block) }
        blocks.removeAll()
    }

    /// A copy of `bytes` as `amqp_bytes_t`.
    func bytes<C: Collection>(_ bytes: C) -> amqp_bytes_t where C.Element == UInt8 {
        guard !bytes.isEmpty else { return amqp_bytes_t(len: 0, bytes: nil) }
        let block = malloc(bytes.count)!
        blocks.append(block)
        let buffer = UnsafeMutableRawBufferPointer(start: block, count: bytes.count)
        _ = buffer.initializeMemory(as: UInt8.self, from: bytes)
        return amqp_bytes_t(len: bytes.count, bytes: block)
    }

    func bytes(_ text: String) -> amqp_bytes_t { bytes(Array(text.utf8)) }

    /// A NUL-terminated copy of `text`.
    func cString(_ text: String) -> UnsafePointer<CChar> {
        let copy = strdup(text)!
        blocks.append(UnsafeMutableRawPointer(copy))
        return UnsafePointer(copy)
    }

    /// `table` as `amqp_table_t`.
    func table(_ table: AMQPTable) -> amqp_table_t {
        guard !table.isEmpty else { return amqp_table_t(num_entries: 0, entries: nil) }
        let block = calloc(table.count, MemoryLayout<amqp_table_entry_t>.stride)!
        blocks.append(block)
        let entries = block.bindMemory(to: amqp_table_entry_t.self, capacity: table.count)
        for (index, item) in table.enumerated() {
            var entry = amqp_table_entry_t()
            entry.key = bytes(item.key)
            entry.value = field(item.value)
            entries[index] = entry
        }
        return amqp_table_t(num_entries: Int32(table.count), entries: entries)
    }

    private func field(_ value: AMQPFieldValue) -> amqp_field_value_t {
        var field = amqp_field_value_t()
        switch value {
        case .string(let text):
            field.kind = UInt8(ascii: "S")
            field.value.bytes = bytes(text)
        case .bytes(let data):
            field.kind = UInt8(ascii: "x")
            field.value.bytes = bytes(data)
        case .int64(let number):
            field.kind = UInt8(ascii: "l")
            field.value.i64 = number
        case .uint8(let number):
            field.kind = UInt8(ascii: "B")
            field.value.u8 = number
        case .bool(let flag):
            field.kind = UInt8(ascii: "t")
            field.value.boolean = flag ? 1 : 0
        }
        return field
    }

    /// `properties` as `amqp_basic_properties_t`.
    func properties(_ properties: AMQPMessageProperties) -> amqp_basic_properties_t {
        var result = amqp_basic_properties_t()
        var flags: UInt32 = 0
        if let value = properties.contentType {
            flags |= UInt32(AMQP_BASIC_CONTENT_TYPE_FLAG)
            result.content_type = bytes(value)
        }
        if let value = properties.deliveryMode, value > 0 {
            flags |= UInt32(AMQP_BASIC_DELIVERY_MODE_FLAG)
            result.delivery_mode = value
        }
        if let value = properties.priority {
            flags |= UInt32(AMQP_BASIC_PRIORITY_FLAG)
            result.priority = value
        }
        if let value = properties.expiration {
            flags |= UInt32(AMQP_BASIC_EXPIRATION_FLAG)
            result.expiration = bytes(value)
        }
        if let value = properties.messageID {
            flags |= UInt32(AMQP_BASIC_MESSAGE_ID_FLAG)
            result.message_id = bytes(value)
        }
        if let value = properties.correlationID {
            flags |= UInt32(AMQP_BASIC_CORRELATION_ID_FLAG)
            result.correlation_id = bytes(value)
        }
        if let value = properties.type {
            flags |= UInt32(AMQP_BASIC_TYPE_FLAG)
            result.type = bytes(value)
        }
        if !properties.headers.isEmpty {
            flags |= UInt32(AMQP_BASIC_HEADERS_FLAG)
            result.headers = table(properties.headers.sorted { $0.key < $1.key }.map { ($0.key, $0.value) })
        }
        result._flags = flags
        return result
    }
}

extension amqp_bytes_t {
    /// The bytes, copied.
    var array: [UInt8] {
        guard len > 0, let bytes else { return [] }
        return Array(UnsafeRawBufferPointer(start: bytes, count: len))
    }

    var string: String { String(decoding: array, as: UTF8.self) }
}

extension AMQPMessageProperties {
    /// The properties rabbitmq-c decoded.
    init(_ c: amqp_basic_properties_t) {
        self.init()
        let flags = c._flags
        func has(_ flag: Int32) -> Bool { flags & UInt32(flag) != 0 }
        if has(AMQP_BASIC_CONTENT_TYPE_FLAG) { contentType = c.content_type.string }
        if has(AMQP_BASIC_DELIVERY_MODE_FLAG) { deliveryMode = c.delivery_mode }
        if has(AMQP_BASIC_PRIORITY_FLAG) { priority = c.priority }
        if has(AMQP_BASIC_EXPIRATION_FLAG) { expiration = c.expiration.string }
        if has(AMQP_BASIC_MESSAGE_ID_FLAG) { messageID = c.message_id.string }
        if has(AMQP_BASIC_CORRELATION_ID_FLAG) { correlationID = c.correlation_id.string }
        if has(AMQP_BASIC_TYPE_FLAG) { type = c.type.string }
        if has(AMQP_BASIC_HEADERS_FLAG), c.headers.num_entries > 0, let entries = c.headers.entries {
            for index in 0..<Int(c.headers.num_entries) {
                let entry = entries[index]
                if let value = AMQPFieldValue(entry.value) { headers[entry.key.string] = value }
            }
        }
    }
}

extension AMQPFieldValue {
    /// Scalar values; tables, arrays, decimals and floats are left out (`nil`).
    init?(_ c: amqp_field_value_t) {
        switch c.kind {
        case UInt8(ascii: "S"): self = .string(c.value.bytes.string)
        case UInt8(ascii: "x"): self = .bytes(c.value.bytes.array)
        case UInt8(ascii: "t"): self = .bool(c.value.boolean != 0)
        case UInt8(ascii: "b"): self = .int64(Int64(c.value.i8))
        case UInt8(ascii: "B"): self = .uint8(c.value.u8)
        case UInt8(ascii: "s"): self = .int64(Int64(c.value.i16))
        case UInt8(ascii: "u"): self = .int64(Int64(c.value.u16))
        case UInt8(ascii: "I"): self = .int64(Int64(c.value.i32))
        case UInt8(ascii: "i"): self = .int64(Int64(c.value.u32))
        case UInt8(ascii: "l"): self = .int64(c.value.i64)
        case UInt8(ascii: "L"), UInt8(ascii: "T"): self = .int64(Int64(truncatingIfNeeded: c.value.u64))
        default: return nil
        }
    }
}
