import NIOCore
import Synchronization

extension RedisConnection {
    /// Sends a blocking command (`XREADGROUP ... BLOCK`, `BLPOP`) on this dedicated connection;
    /// the reply may take `block` plus the read timeout.
    ///
    /// When the calling task is cancelled the block is ended at once with `CLIENT UNBLOCK`
    /// sent through `client`, so the reply — with whatever the server already handed out —
    /// still arrives and nothing read is left behind. Where that is impossible (no client id,
    /// the server refuses `CLIENT UNBLOCK`) the connection is closed instead and the call
    /// fails with ``RedisError/connectionLost(_:)``.
    public func sendBlocking(_ command: RedisCommand, block: Duration, unblockingThrough client: RedisClient) async throws(RedisError) -> RedisValue {
        let reply = enqueue(command, timeout: readTimeout.map { $0 + block })
        let answered = AnsweredFlag()
        reply.whenComplete { _ in answered.set() }
        let outcome = await withTaskCancellationHandler { () async -> Result<RedisValue, RedisError> in
            do throws(RedisError) {
                return .success(try await Self.reply(reply))
            } catch {
                return .failure(error)
            }
        } onCancel: {
            self.unblock(through: client, answered: answered, attempt: 1)
        }
        return try outcome.get()
    }

    /// `CLIENT UNBLOCK` until the block ended. A 0 means the command has not reached the
    /// server yet (it left on another connection), so ask again shortly, for up to a second.
    private func unblock(through client: RedisClient, answered: AnsweredFlag, attempt: Int) {
        guard let clientID, !answered.isSet else {
            if !answered.isSet { closeNow() }
            return
        }
        client.enqueue(RedisCommand("CLIENT", "UNBLOCK", String(clientID))).whenComplete { result in
            guard !answered.isSet else { return }
            switch result {
            case .success(.integer(1)):
                return
            case .success(.integer(0)) where attempt < 100:
                self.channelEventLoop.scheduleTask(in: .milliseconds(10)) {
                    self.unblock(through: client, answered: answered, attempt: attempt + 1)
                }
            default:
                self.closeNow()
            }
        }
    }
}

/// Set once a blocking command's reply arrived.
private final class AnsweredFlag: Sendable {
    private let value = Mutex(false)

    var isSet: Bool { value.withLock { $0 } }

    func set() { value.withLock { $0 = true } }
}
