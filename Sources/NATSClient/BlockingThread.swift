import OutriggerSeam

/// Every libnats call that can block (connecting, a JetStream API request, a fetch that waits
/// for messages, a publish that waits for room in the outgoing buffer) runs on a
/// ``DedicatedThread``, never on Swift's cooperative pool.
typealias BlockingThread = DedicatedThread

extension DedicatedThread {
    /// Runs `body` on the thread and returns its result; throws ``NATSError/closed`` when the
    /// thread was stopped before the job could be queued.
    func run<T: Sendable>(_ body: @escaping @Sendable () throws(NATSError) -> T) async throws(NATSError) -> T {
        let result: Result<T, NATSError> = await withCheckedContinuation { continuation in
            let accepted = submit {
                do throws(NATSError) {
                    continuation.resume(returning: .success(try body()))
                } catch {
                    continuation.resume(returning: .failure(error))
                }
            }
            if !accepted { continuation.resume(returning: .failure(.closed)) }
        }
        return try result.get()
    }
}
