import Synchronization

/// Looks each topic up once before its first record is queued.
///
/// librdkafka 2.0 asks the cluster about a topic it has not produced to before only at its next
/// topic scan (once a second) when the producer has already received its first metadata, so
/// the first record for every new topic waited up to a second (measured: 1,000 ms against the
/// local cluster, for a topic that exists as for one the broker creates). A metadata request
/// for that one topic answers in about a millisecond and puts it in librdkafka's cache, after
/// which its records leave at once. Concurrent first records for one topic share one lookup.
final class TopicLookups: Sendable {
    private enum Entry {
        case known
        case pending([CheckedContinuation<Void, Never>])
    }

    private let entries = Mutex<[String: Entry]>([:])
    private let lookUp: @Sendable (String) async -> Void
    private let started = Atomic<Int>(0)

    /// `lookUp` asks the cluster about one topic; it returns when answered or given up (a failed
    /// lookup leaves the topic to librdkafka's own scan, as before).
    init(lookUp: @escaping @Sendable (String) async -> Void) {
        self.lookUp = lookUp
    }

    /// How many lookups were started (each topic's first record, once).
    var lookupCount: Int { started.load(ordering: .relaxed) }

    /// Returns at once for a topic looked up before; otherwise once its lookup (this call's or
    /// one under way) has ended.
    func ensureLookedUp(_ topic: String) async {
        enum Step { case done, wait, lookUp }
        let step = entries.withLock { entries -> Step in
            switch entries[topic] {
            case .known: return .done
            case .pending: return .wait
            case nil:
                entries[topic] = .pending([])
                return .lookUp
            }
        }
        switch step {
        case .done:
            return
        case .lookUp:
            started.add(1, ordering: .relaxed)
            await lookUp(topic)
            let waiters = entries.withLock { entries -> [CheckedContinuation<Void, Never>] in
                defer { entries[topic] = .known }
                if case .pending(let waiters) = entries[topic] { return waiters }
                return []
            }
            for waiter in waiters { waiter.resume() }
        case .wait:
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                let ended = entries.withLock { entries -> Bool in
                    guard case .pending(var waiters) = entries[topic] else { return true }
                    waiters.append(continuation)
                    entries[topic] = .pending(waiters)
                    return false
                }
                if ended { continuation.resume() }
            }
        }
    }
}
