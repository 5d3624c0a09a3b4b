import Foundation

/// Seeded, reproducible variations of valid inputs, for property tests of the parsers that read
/// what apps, brokers and operators hand the sidecar.
///
/// The starting points are the seeds `make fuzz` starts from (`fuzz/corpus/<target>/`), so a
/// crash the fuzzer found and that was added there is replayed by the unit tests too. Each
/// variation applies a few edits of the kinds that break hand-written parsers: flipped and
/// inserted structural bytes, invalid UTF-8, cut-off input, deep nesting, extreme numbers and
/// pieces spliced in from another seed. The same seed always gives the same inputs.
///
/// ```swift
/// var mutator = InputMutator(seed: 1, seeds: InputMutator.corpus("FuzzCloudEvent"))
/// for _ in 0..<300 { let input = mutator.next(); /* parse, expect a value or a typed error */ }
/// ```
public struct InputMutator {
    private var random: SplitMix64
    private let seeds: [[UInt8]]

    /// `seeds` must not be empty.
    public init(seed: UInt64, seeds: [[UInt8]]) {
        precondition(!seeds.isEmpty, "InputMutator needs at least one seed input")
        random = SplitMix64(seed: seed)
        self.seeds = seeds
    }

    /// The files of `fuzz/corpus/<target>/` in this repository, in name order.
    public static func corpus(_ target: String, filePath: String = #filePath) -> [[UInt8]] {
        // #filePath is Tests/<Target>/<File>.swift of the caller; the corpus is beside Tests/.
        let root = URL(fileURLWithPath: filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let folder = root.appendingPathComponent("fuzz/corpus/\(target)")
        let names = (try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []
        return names.sorted().compactMap { name in
            (try? Data(contentsOf: folder.appendingPathComponent(name))).map { Array($0) }
        }
    }

    /// The next input: a seed as it is (one time in eight) or with one to four edits.
    public mutating func next() -> [UInt8] {
        var input = seeds[pick(seeds.count)]
        guard pick(8) != 0 else { return input }
        for _ in 0...pick(4) { edit(&input) }
        return input
    }

    private mutating func edit(_ input: inout [UInt8]) {
        let position = input.isEmpty ? 0 : pick(input.count + 1)
        switch pick(9) {
        case 0 where !input.isEmpty:  // flip a byte
            let index = min(position, input.count - 1)
            input[index] ^= UInt8(truncatingIfNeeded: 1 << pick(8))
        case 1:  // a structural or otherwise awkward byte
            input.insert(Self.awkwardBytes[pick(Self.awkwardBytes.count)], at: position)
        case 2 where !input.isEmpty:  // cut a range out
            let end = min(input.count, position + 1 + pick(16))
            input.removeSubrange(min(position, input.count - 1)..<end)
        case 3:  // cut off the end
            input.removeSubrange(position...)
        case 4:  // deep nesting
            let opener = Self.openers[pick(Self.openers.count)]
            input.insert(contentsOf: repeatElement(opener, count: 1 + pick(2_000)), at: position)
        case 5:  // an extreme or malformed token
            input.insert(contentsOf: Self.awkwardTokens[pick(Self.awkwardTokens.count)].utf8, at: position)
        case 6:  // splice in a piece of another seed
            let other = seeds[pick(seeds.count)]
            guard !other.isEmpty else { return }
            let start = pick(other.count)
            input.insert(contentsOf: other[start..<min(other.count, start + 1 + pick(64))], at: position)
        case 7 where !input.isEmpty:  // repeat a range
            let start = min(position, input.count - 1)
            let piece = input[start..<min(input.count, start + 1 + pick(32))]
            input.insert(contentsOf: Array(piece) + Array(piece), at: start)
        default:  // a random byte
            input.insert(UInt8(truncatingIfNeeded: random.next()), at: position)
        }
    }

    private mutating func pick(_ count: Int) -> Int {
        Int(random.next() % UInt64(count))
    }

    private static let openers: [UInt8] = Array("[{(!-".utf8)
    private static let awkwardBytes: [UInt8] = Array("{}[]()\"',:\\/*&?!|=<>.-+0e\n\t ".utf8) + [0, 0x80, 0xC3, 0xED, 0xFF]
    private static let awkwardTokens = [
        "18446744073709551616", "-9223372036854775809", "1e999", "-0.0", "1e-400", "\\uD800", "\\u0000",
        "\\ud83d\\ude00", "%FF", "%2e%2e%2f", "../", "null", "\"\"", "[]", "{}", "*a", "&a ", "? ",
        "!!binary ", "0x7fffffffffffffff", "9223372036854775807", "9999-12-31T23:59:60Z",
    ]
}

/// Sebastiano Vigna's SplitMix64: tiny, fast, and the same numbers for the same seed on every
/// platform, which `SystemRandomNumberGenerator` is not.
public struct SplitMix64: RandomNumberGenerator {
    private var state: UInt64

    public init(seed: UInt64) { state = seed }

    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
