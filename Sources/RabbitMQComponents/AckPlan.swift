/// How one channel's finished deliveries are acknowledged with as few frames as possible.
///
/// `basic.ack` with `multiple` acknowledges every unsettled tag up to its own, so it may be
/// used only up to the highest tag below which every delivery still unsettled on the channel
/// is being acknowledged now; the acknowledgements above it go one by one.
struct AckPlan: Equatable, Sendable {
    /// `basic.ack(tag, multiple: true)`, when it covers two or more deliveries.
    var multipleUpTo: UInt64?
    /// `basic.ack(tag)` each.
    var single: [UInt64]

    init(multipleUpTo: UInt64?, single: [UInt64]) {
        self.multipleUpTo = multipleUpTo
        self.single = single
    }

    /// - Parameters:
    ///   - acks: the tags to acknowledge now.
    ///   - unsettled: every tag delivered on the channel and not yet settled (including `acks`).
    init(acks: [UInt64], unsettled: Set<UInt64>) {
        let acking = Set(acks)
        var covered: [UInt64] = []
        for tag in unsettled.sorted() {
            guard acking.contains(tag) else { break }
            covered.append(tag)
        }
        if covered.count >= 2, let last = covered.last {
            multipleUpTo = last
            single = acks.filter { $0 > last }.sorted()
        } else {
            multipleUpTo = nil
            single = acks.sorted()
        }
    }
}
