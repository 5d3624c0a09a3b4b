/// Decides which items may start so that items sharing an ordering key run one at a time, in
/// arrival order, while items with different keys (or no key) run in parallel.
///
/// It only decides; the caller runs what it is given and bounds the items held (running plus
/// waiting) itself. Memory is bounded by the keys that have an item running: a key is forgotten
/// as soon as its last item finishes.
///
/// ```swift
/// var scheduler = KeyedScheduler<String, Message>()
/// if let ready = scheduler.admit(message, key: message.orderingKey) { start(ready) }
/// // when that handler returns:
/// if let next = scheduler.finished(key: message.orderingKey) { start(next) }
/// ```
public struct KeyedScheduler<Key: Hashable & Sendable, Item: Sendable>: Sendable {
    /// An item queued behind its key; `arrival` restores the order across keys when draining.
    private struct Waiting: Sendable {
        let arrival: UInt64
        let item: Item
    }

    /// The items waiting behind one key's running item, as two stacks so that both ends are
    /// cheap: new items go onto `incoming`, the next to start comes off the end of `outgoing`.
    private struct Lane: Sendable {
        var incoming: [Waiting] = []
        var outgoing: [Waiting] = []

        mutating func next() -> Waiting? {
            if outgoing.isEmpty {
                outgoing = incoming.reversed()
                incoming.removeAll()
            }
            return outgoing.popLast()
        }

        var inArrivalOrder: [Waiting] { outgoing.reversed() + incoming }
    }

    /// A key has a lane exactly while one of its items runs.
    private var lanes: [Key: Lane] = [:]
    private var unkeyedRunning = 0
    private var nextArrival: UInt64 = 0

    /// Items admitted and not started yet.
    public private(set) var waitingCount = 0

    public init() {}

    /// Items started (returned by ``admit(_:key:)`` or ``finished(key:)``) and not finished.
    public var runningCount: Int { unkeyedRunning + lanes.count }

    /// Whether an item of `key` is running.
    public func isBusy(_ key: Key) -> Bool { lanes[key] != nil }

    /// Offers `item`. Returns it when it may start now (it has no key, or its key is idle; the
    /// key is then busy until ``finished(key:)``); otherwise keeps it behind the items already
    /// admitted with that key and returns `nil`.
    public mutating func admit(_ item: Item, key: Key?) -> Item? {
        guard let key else {
            unkeyedRunning += 1
            return item
        }
        guard lanes[key] != nil else {
            lanes[key] = Lane()
            return item
        }
        lanes[key]!.incoming.append(Waiting(arrival: nextArrival, item: item))
        nextArrival &+= 1
        waitingCount += 1
        return nil
    }

    /// The running item of `key` (or an item without a key, for `nil`) finished. Returns the
    /// next item of that key to start now, if any; otherwise the key is idle and forgotten.
    /// Finishing when nothing of `key` runs changes nothing.
    public mutating func finished(key: Key?) -> Item? {
        guard let key else {
            unkeyedRunning = max(unkeyedRunning - 1, 0)
            return nil
        }
        guard let next = lanes[key]?.next() else {
            lanes[key] = nil
            return nil
        }
        waitingCount -= 1
        return next.item
    }

    /// Removes every item not started yet and returns them in arrival order, so that they can
    /// be handed back (at shutdown) without starting. Running items stay running; their keys
    /// become idle when they finish.
    public mutating func drainWaiting() -> [Item] {
        let waiting = lanes.values.flatMap(\.inArrivalOrder).sorted { $0.arrival < $1.arrival }
        lanes = lanes.mapValues { _ in Lane() }
        waitingCount = 0
        return waiting.map(\.item)
    }
}
