/// Redis Streams commands on the pooled connections.
extension RedisClient {
    /// `XADD stream [MAXLEN|MINID ~ n] * field value ...`; the new entry's id.
    public func xadd(_ stream: String, fields: [RedisStreamField], trim: RedisStreamTrim? = nil) async throws(RedisError) -> String {
        try Self.entryID(try await send(Self.xaddCommand(stream, fields: fields, trim: trim)))
    }

    /// Many `XADD`s written at once on one connection (one pipeline, kept in order) before any
    /// reply is awaited; one result per entry, in order.
    public func xadd(batch: [(stream: String, fields: [RedisStreamField])], trim: RedisStreamTrim? = nil) async -> [Result<String, RedisError>] {
        let replies = enqueue(batch.map { Self.xaddCommand($0.stream, fields: $0.fields, trim: trim) })
        var results: [Result<String, RedisError>] = []
        results.reserveCapacity(replies.count)
        for reply in replies {
            do throws(RedisError) {
                results.append(.success(try Self.entryID(try await RedisConnection.reply(reply))))
            } catch {
                results.append(.failure(error))
            }
        }
        return results
    }

    private static func xaddCommand(_ stream: String, fields: [RedisStreamField], trim: RedisStreamTrim?) -> RedisCommand {
        var command = RedisCommand("XADD", stream)
        switch trim {
        case .maxLengthApproximately(let count):
            command.append("MAXLEN")
            command.append("~")
            command.append(count)
        case .minimumIDApproximately(let id):
            command.append("MINID")
            command.append("~")
            command.append(id)
        case nil:
            break
        }
        command.append("*")
        for field in fields {
            command.append(bytes: field.name)
            command.append(bytes: field.value)
        }
        return command
    }

    private static func entryID(_ reply: RedisValue) throws(RedisError) -> String {
        guard let id = reply.string else { throw .protocolError("XADD answered \(reply)") }
        return id
    }

    /// `XGROUP CREATE stream group start MKSTREAM`: creates the stream too when missing.
    /// Returns `false` when the group already existed (`BUSYGROUP`).
    @discardableResult
    public func createGroup(_ group: String, on stream: String, startingAt start: String = "0") async throws(RedisError) -> Bool {
        do {
            _ = try await send(RedisCommand("XGROUP", "CREATE", stream, group, start, "MKSTREAM"))
            return true
        } catch {
            if error.serverCode == "BUSYGROUP" { return false }
            throw error
        }
    }

    /// `XACK stream group id ...`: how many were pending and are now acknowledged.
    @discardableResult
    public func xack(_ stream: String, group: String, ids: [String]) async throws(RedisError) -> Int {
        guard !ids.isEmpty else { return 0 }
        var command = RedisCommand("XACK", stream, group)
        for id in ids { command.append(id) }
        return Int(try await send(command).integer ?? 0)
    }

    /// `XAUTOCLAIM stream group consumer min-idle start COUNT count` (Redis 6.2+): entries
    /// pending for at least `minIdle`, now owned by `consumer` (their delivery count goes up).
    public func xautoclaim(_ stream: String, group: String, consumer: String, minIdle: Duration, start: String, count: Int) async throws(RedisError) -> RedisAutoClaim {
        var command = RedisCommand("XAUTOCLAIM", stream, group, consumer, String(minIdle.redisMilliseconds), start)
        command.append("COUNT")
        command.append(max(count, 1))
        let reply = try await send(command)
        guard let parts = reply.array, parts.count >= 2, let next = parts[0].string else {
            throw .protocolError("XAUTOCLAIM answered \(reply)")
        }
        let (entries, nilEntries) = try RedisStreamEntry.parseList(parts[1])
        let removed = parts.count > 2 ? (parts[2].array ?? []).compactMap(\.string) : []
        return RedisAutoClaim(next: next, entries: entries, deleted: nilEntries + removed)
    }

    /// `XCLAIM stream group consumer 0 id ... IDLE ms JUSTID`: takes the entries whoever holds
    /// them and sets how long they look idle, without counting a delivery. An idle time of at
    /// least the reclaim threshold makes them due for the next `XAUTOCLAIM` at once.
    @discardableResult
    public func xclaimIDs(_ stream: String, group: String, consumer: String, ids: [String], idle: Duration) async throws(RedisError) -> [String] {
        guard !ids.isEmpty else { return [] }
        var command = RedisCommand("XCLAIM", stream, group, consumer, "0")
        for id in ids { command.append(id) }
        command.append("IDLE")
        command.append(idle.redisMilliseconds)
        command.append("JUSTID")
        return (try await send(command).array ?? []).compactMap(\.string)
    }
}

extension RedisConnection {
    /// `XREADGROUP GROUP group consumer COUNT count BLOCK ms STREAMS stream >` on this
    /// dedicated connection: up to `count` entries never delivered to the group, waiting up
    /// to `block` for some; `[]` when none came. Cancellation ends the block at once (see
    /// ``sendBlocking(_:block:unblockingThrough:)``) and still returns what was read.
    public func xreadgroup(
        group: String, consumer: String, stream: String, count: Int, block: Duration, unblockingThrough client: RedisClient
    ) async throws(RedisError) -> [RedisStreamEntry] {
        var command = RedisCommand("XREADGROUP", "GROUP", group, consumer, "COUNT")
        command.append(max(count, 1))
        command.append("BLOCK")
        command.append(max(block.redisMilliseconds, 1))
        command.append("STREAMS")
        command.append(stream)
        command.append(">")
        let reply = try await sendBlocking(command, block: block, unblockingThrough: client)
        guard let streams = reply.array else { return [] }
        var entries: [RedisStreamEntry] = []
        for item in streams {
            guard let pair = item.array, pair.count == 2 else { throw .protocolError("malformed XREADGROUP reply \(item)") }
            entries += try RedisStreamEntry.parseList(pair[1]).entries
        }
        return entries
    }
}

extension Duration {
    /// Whole milliseconds, rounded up (Redis's unit for idle and block times).
    var redisMilliseconds: Int {
        let (seconds, attoseconds) = components
        return Int(seconds) * 1000 + Int((attoseconds + 999_999_999_999_999) / 1_000_000_000_000_000)
    }
}
