/// Runs `body`, failing with ``TimeLimitExceeded`` when it takes longer than `limit` on `clock`
/// (`nil`: no limit). The body is cancelled when the limit passes.
public func withTimeLimit<T: Sendable>(
    _ limit: Duration?, clock: AnyClock = .continuous, _ body: @escaping @Sendable () async throws -> T
) async throws -> T {
    guard let limit else { return try await body() }
    return try await withThrowingTaskGroup(of: T.self) { group in
        group.addTask { try await body() }
        group.addTask {
            try await clock.sleep(for: limit)
            throw TimeLimitExceeded(limit: limit)
        }
        defer { group.cancelAll() }
        guard let first = try await group.next() else { throw CancellationError() }
        return first
    }
}

/// An operation took longer than its time limit.
public struct TimeLimitExceeded: Error, Sendable, CustomStringConvertible {
    public var limit: Duration
    public init(limit: Duration) { self.limit = limit }
    public var description: String { "timed out after \(GoDuration.format(limit))" }
}
