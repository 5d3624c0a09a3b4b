/// One stream entry: its id and its fields in the order they were stored.
public struct RedisStreamEntry: Sendable, Equatable {
    /// The entry id, `<milliseconds>-<sequence>`.
    public var id: String
    public var fields: [RedisStreamField]

    /// An entry with these fields.
    public init(id: String, fields: [RedisStreamField]) {
        self.id = id
        self.fields = fields
    }

    /// The value of the first field called `name`.
    public subscript(name: String) -> [UInt8]? {
        let key = Array(name.utf8)
        return fields.first { $0.name == key }?.value
    }

    /// Entries of an `XRANGE`/`XREADGROUP`/`XCLAIM` reply (`[[id, [field, value, ...]], ...]`),
    /// and the ids whose entry no longer exists (a nil entry or nil fields: trimmed or deleted
    /// while pending).
    static func parseList(_ value: RedisValue) throws(RedisError) -> (entries: [RedisStreamEntry], deleted: [String]) {
        guard let items = value.array else {
            if value.isNull { return ([], []) }
            throw .protocolError("expected a list of stream entries, got \(value)")
        }
        var entries: [RedisStreamEntry] = []
        var deleted: [String] = []
        entries.reserveCapacity(items.count)
        for item in items {
            guard let pair = item.array, pair.count == 2, let id = pair[0].string else {
                if item.isNull { continue }
                throw .protocolError("malformed stream entry \(item)")
            }
            guard let flat = pair[1].array else {
                deleted.append(id)
                continue
            }
            var fields: [RedisStreamField] = []
            fields.reserveCapacity(flat.count / 2)
            var index = 0
            while index + 1 < flat.count {
                fields.append(RedisStreamField(name: flat[index].bytes ?? [], value: flat[index + 1].bytes ?? []))
                index += 2
            }
            entries.append(RedisStreamEntry(id: id, fields: fields))
        }
        return (entries, deleted)
    }
}

/// One field of a stream entry, binary-safe.
public struct RedisStreamField: Sendable, Equatable {
    public var name: [UInt8]
    public var value: [UInt8]

    /// A field with a binary name.
    public init(name: [UInt8], value: [UInt8]) {
        self.name = name
        self.value = value
    }

    /// A field with a text name.
    public init(_ name: String, _ value: [UInt8]) {
        self.init(name: Array(name.utf8), value: value)
    }
}

/// What one `XAUTOCLAIM` call claimed.
public struct RedisAutoClaim: Sendable, Equatable {
    /// Where the next call continues; `0-0` when the scan of the pending list is complete.
    public var next: String
    /// The claimed entries, now owned by the claiming consumer.
    public var entries: [RedisStreamEntry]
    /// Pending ids whose entry no longer exists (Redis 7 removes them from the pending list).
    public var deleted: [String]

    /// Whether the whole pending list was looked at.
    public var isScanComplete: Bool { next == "0-0" }
}

/// How `XADD` trims the stream it appends to (`~`: approximately, which is much cheaper).
public enum RedisStreamTrim: Sendable, Equatable {
    /// `MAXLEN ~ count`: keep about the newest `count` entries.
    case maxLengthApproximately(Int)
    /// `MINID ~ id`: drop entries with a smaller id (older than the time the id encodes).
    case minimumIDApproximately(String)
}
