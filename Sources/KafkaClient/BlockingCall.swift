import Foundation

/// Runs blocking librdkafka calls on a thread of their own, never on Swift's cooperative pool.
enum BlockingCall {
    /// Runs `body` on a new thread and returns its result.
    static func run<T: Sendable>(name: String, _ body: @escaping @Sendable () -> T) async -> T {
        await withCheckedContinuation { continuation in
            let thread = Thread { continuation.resume(returning: body()) }
            thread.name = name
            thread.start()
        }
    }
}
