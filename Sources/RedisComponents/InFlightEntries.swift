import Synchronization

/// The stream entries this component has handed to a handler and not yet settled, per stream
/// and consumer group, so that reclaiming pending entries never delivers one of them a second
/// time (a slow handler's entry looks idle to Redis; components-contrib#4599).
///
/// An entry acknowledged while a reclaim is on its way is remembered until that reclaim is
/// done: the server may have claimed it before the `XACK` arrived, and its reply must not
/// bring it back. An entry handed back or failed meanwhile is pending and due, so a reclaim
/// that claimed it delivers it.
final class InFlightEntries: Sendable {
    /// A stream and consumer group.
    struct Key: Hashable, Sendable {
        var stream: String
        var group: String
    }

    private struct Group {
        var held: Set<String> = []
        var reclaims = 0
        var acknowledgedDuringReclaim: Set<String> = []
    }

    private let groups = Mutex([Key: Group]())

    /// Marks entries just read as in flight.
    func hold(_ ids: [String], in key: Key) {
        groups.withLock { groups in groups[key, default: Group()].held.formUnion(ids) }
    }

    /// Call before sending a reclaim for `key`; pair with ``endReclaim(_:)``.
    func beginReclaim(_ key: Key) {
        groups.withLock { groups in groups[key, default: Group()].reclaims += 1 }
    }

    func endReclaim(_ key: Key) {
        groups.withLock { groups in
            guard var group = groups[key] else { return }
            group.reclaims -= 1
            if group.reclaims <= 0 {
                group.reclaims = 0
                group.acknowledgedDuringReclaim = []
            }
            groups[key] = group.held.isEmpty && group.reclaims == 0 ? nil : group
        }
    }

    /// Of the ids a reclaim returned, those neither in flight nor acknowledged while it ran;
    /// they are marked in flight.
    func admitReclaimed(_ ids: [String], in key: Key) -> Set<String> {
        groups.withLock { groups in
            var group = groups[key, default: Group()]
            let fresh = Set(ids).subtracting(group.held).subtracting(group.acknowledgedDuringReclaim)
            group.held.formUnion(fresh)
            groups[key] = group
            return fresh
        }
    }

    /// Entries settled: no longer in flight. `acknowledged`: they were `XACK`ed, so a reclaim
    /// under way must not deliver them.
    func release(_ ids: [String], acknowledged: Bool, in key: Key) {
        guard !ids.isEmpty else { return }
        groups.withLock { groups in
            guard var group = groups[key] else { return }
            group.held.subtract(ids)
            if acknowledged && group.reclaims > 0 { group.acknowledgedDuringReclaim.formUnion(ids) }
            groups[key] = group.held.isEmpty && group.reclaims == 0 ? nil : group
        }
    }

    /// How many entries of `key` are in flight.
    func count(in key: Key) -> Int { groups.withLock { $0[key]?.held.count ?? 0 } }
}
