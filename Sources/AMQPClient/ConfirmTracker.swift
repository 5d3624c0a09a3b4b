/// The publishes of one channel in confirm mode that wait for the broker's answer, as a value
/// type with no I/O: each event returns the waiters it settles.
///
/// - `published` numbers publishes 1, 2, 3 … as the broker does after `confirm.select`.
/// - `basic.ack` settles its tag, or with `multiple` every waiting tag up to it; `basic.nack`
///   likewise fails them.
/// - `basic.return` (a `mandatory` message no queue took) comes just before the confirm of the
///   same message, and carries no tag: it marks the oldest waiting publish with the same
///   exchange, routing key and body, which then fails when its confirm arrives.
struct ConfirmTracker<Waiter> {
    private struct Entry {
        var waiter: Waiter
        var exchange: String
        var routingKey: String
        var body: [UInt8]
        var returned: AMQPError?
    }

    private var pending: [UInt64: Entry] = [:]
    private var lowest: UInt64 = 1
    /// The tag the next publish gets.
    private(set) var nextTag: UInt64 = 1

    /// Publishes still waiting.
    var count: Int { pending.count }

    /// A publish was written; its delivery tag.
    @discardableResult
    mutating func published(_ waiter: Waiter, exchange: String, routingKey: String, body: [UInt8]) -> UInt64 {
        defer { nextTag += 1 }
        pending[nextTag] = Entry(waiter: waiter, exchange: exchange, routingKey: routingKey, body: body, returned: nil)
        return nextTag
    }

    /// A `basic.return`.
    mutating func returned(exchange: String, routingKey: String, body: [UInt8], error: AMQPError) {
        let match = pending.filter { _, entry in
            entry.returned == nil && entry.exchange == exchange && entry.routingKey == routingKey && entry.body == body
        }.keys.min()
        if let match { pending[match]?.returned = error }
    }

    /// A `basic.ack` (or `basic.nack` when `refused`): the waiters it answers, in tag order.
    mutating func confirmed(_ tag: UInt64, multiple: Bool, refused: Bool) -> [(waiter: Waiter, result: Result<Void, AMQPError>)] {
        var answered: [(Waiter, Result<Void, AMQPError>)] = []
        let tags: ClosedRange<UInt64> = multiple ? lowest...max(tag, lowest) : tag...tag
        for current in tags {
            guard let entry = pending.removeValue(forKey: current) else { continue }
            if refused {
                answered.append((entry.waiter, .failure(.nacked)))
            } else if let returned = entry.returned {
                answered.append((entry.waiter, .failure(returned)))
            } else {
                answered.append((entry.waiter, .success(())))
            }
        }
        while lowest < nextTag, pending[lowest] == nil { lowest += 1 }
        return answered
    }

    /// The channel closed: every waiter, to fail.
    mutating func failAll() -> [Waiter] {
        defer {
            pending.removeAll()
            lowest = nextTag
        }
        return pending.sorted { $0.key < $1.key }.map(\.value.waiter)
    }
}
