/// A set of instruction indexes with O(1) insert, lookup and clear, in insertion order
/// (Briggs and Torczon's sparse set).
///
/// The simulation keeps two of these for the whole search and clears them by resetting a
/// count, so matching allocates nothing per scalar of text.
struct RegexStateSet {
    private var dense: [Int]
    private var sparse: [Int]
    /// How many indexes the set holds.
    private(set) var count = 0

    /// An empty set for indexes in `0..<capacity`.
    init(capacity: Int) {
        dense = Array(repeating: 0, count: capacity)
        sparse = Array(repeating: 0, count: capacity)
    }

    /// Whether the set holds no index.
    var isEmpty: Bool { count == 0 }

    /// The index inserted `position`-th, for `position` in `0..<count`.
    subscript(position: Int) -> Int { dense[position] }

    /// Whether `index` is in the set.
    func contains(_ index: Int) -> Bool {
        let position = sparse[index]
        return position < count && dense[position] == index
    }

    /// Adds `index`, which must not already be in the set.
    mutating func insert(_ index: Int) {
        sparse[index] = count
        dense[count] = index
        count += 1
    }

    /// Empties the set in O(1), keeping its storage.
    mutating func removeAll() {
        count = 0
    }
}
