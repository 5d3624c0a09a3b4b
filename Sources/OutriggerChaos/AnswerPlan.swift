/// How the chaos app answers one delivery attempt.
public enum AppAnswer: String, Sendable, CaseIterable {
    /// HTTP 200 with `{"status":"SUCCESS"}`.
    case success
    /// HTTP 200 with an empty body (also success, as Dapr reads it).
    case emptySuccess
    /// HTTP 200 with `{"status":"RETRY"}`.
    case retry
    /// HTTP 500.
    case serverError
    /// Holds the request past the delivery timeout, then answers success (too late to count).
    case tooSlow

    /// Whether the sidecar sees this answer as a successful delivery.
    public var isSuccess: Bool { self == .success || self == .emptySuccess }
}

/// The app's answers, decided per (event, attempt) from a seed: the same seed gives the same
/// answer to the same attempt of the same event, whatever order the deliveries arrive in.
///
/// Shares (per attempt): 5 % RETRY, 5 % HTTP 500, 1 % too slow, the rest success (half with
/// `{"status":"SUCCESS"}`, half with an empty 200). An event fails all of four attempts with a
/// probability of 0.11⁴ ≈ 1.5 × 10⁻⁴, so a run of 100,000 events dead-letters about 15.
public struct AnswerPlan: Sendable {
    /// The seed of the run.
    public let seed: UInt64

    /// A plan for `seed`.
    public init(seed: UInt64) {
        self.seed = seed
    }

    /// The answer to attempt `attempt` (1-based) of event `sequence`.
    public func answer(sequence: Int, attempt: Int) -> AppAnswer {
        let roll = Self.mix(seed ^ Self.mix(UInt64(truncatingIfNeeded: sequence) &* 0x9E37_79B9 &+ UInt64(truncatingIfNeeded: attempt)))
        switch roll % 10_000 {
        case 0..<500: return .retry
        case 500..<1_000: return .serverError
        case 1_000..<1_100: return .tooSlow
        default: return roll & (1 << 40) == 0 ? .success : .emptySuccess
        }
    }

    /// SplitMix64's finaliser: a well-spread 64-bit hash of `value`.
    static func mix(_ value: UInt64) -> UInt64 {
        var z = value &+ 0x9E37_79B9_7F4A_7C15
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
