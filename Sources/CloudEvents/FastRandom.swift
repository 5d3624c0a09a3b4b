import Synchronization

/// Random 64-bit numbers for ids (CloudEvent ids, trace and span ids) without a system call
/// each: xoshiro256** seeded once per process from the system generator.
///
/// Ids need to be unique, not secret: 256 bits of system randomness in the seed make two
/// processes' sequences as unlikely to meet as independent random draws. Measured before this:
/// `getrandom` was 4 % of the publish path's samples (two calls per publish).
public enum FastRandom {
    private static let state = Mutex<(UInt64, UInt64, UInt64, UInt64)>({
        var system = SystemRandomNumberGenerator()
        var seed: (UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0)
        while seed == (0, 0, 0, 0) { seed = (system.next(), system.next(), system.next(), system.next()) }
        return seed
    }())

    /// The next number of the sequence.
    public static func next() -> UInt64 {
        state.withLock { step(&$0) }
    }

    /// Two numbers of the sequence, under one lock (an id of 128 bits).
    public static func nextPair() -> (UInt64, UInt64) {
        state.withLock { s in
            let first = step(&s)
            return (first, step(&s))
        }
    }

    private static func step(_ s: inout (UInt64, UInt64, UInt64, UInt64)) -> UInt64 {
        let result = rotate(s.1 &* 5, 7) &* 9
        let t = s.1 << 17
        s.2 ^= s.0
        s.3 ^= s.1
        s.1 ^= s.2
        s.0 ^= s.3
        s.2 ^= t
        s.3 = rotate(s.3, 45)
        return result
    }

    private static func rotate(_ x: UInt64, _ k: UInt64) -> UInt64 { (x << k) | (x >> (64 - k)) }
}
