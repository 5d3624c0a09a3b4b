import CNats
import Synchronization

/// A pull subscription bound to a durable consumer: messages come only when asked for, so
/// the server never sends more than the caller has room for.
///
/// ``fetch(max:wait:)`` runs on the subscription's own thread. Acknowledgements run on the
/// connection's sending thread, in batches. ``close()`` stops fetching; the consumer stays on
/// the server (it is durable), and messages still held can be acknowledged until they are
/// released.
public final class JetStreamSubscription: Sendable {
    let subscription: NATSPointer
    /// The connection; kept alive as long as the subscription or one of its messages is.
    public let connection: NATSConnection
    private let fetcher: BlockingThread
    /// The subject its consumer delivers.
    public let subject: String
    private let closed = Mutex(false)

    init(subscription: NATSPointer, connection: NATSConnection, fetcher: BlockingThread, subject: String) {
        self.subscription = subscription
        self.connection = connection
        self.fetcher = fetcher
        self.subject = subject
    }

    deinit {
        fetcher.stop()
        natsSubscription_Destroy(subscription.raw)
    }

    /// Up to `max` messages: those the consumer has ready, or else the first ones to arrive
    /// within `wait`; `[]` when none came.
    ///
    /// Cancelling returns at once with `CancellationError`; messages the fetch in progress
    /// still receives are handed back (`Nak`) at once, so they go to another subscriber.
    ///
    /// `keepAlive` starts holding the messages on the fetching thread, the moment they arrive:
    /// waiting until this task resumes would let a task pool busy for longer than AckWait lose
    /// them to a redelivery before they are ever held.
    public func fetch(max: Int, wait: Duration, keepAlive: InProgressKeepAlive? = nil) async throws -> [JetStreamMessage] {
        typealias Waiter = CheckedContinuation<Result<[JetStreamMessage], NATSError>, Never>
        let handoff = Mutex<Waiter?>(nil)
        let take: @Sendable () -> Waiter? = {
            handoff.withLock { state in
                let waiter = state
                state = nil
                return waiter
            }
        }
        let result = await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: Waiter) in
                handoff.withLock { $0 = continuation }
                let accepted = fetcher.submit {
                    let outcome: Result<[JetStreamMessage], NATSError>
                    do throws(NATSError) {
                        let fetched = try self.fetchNow(max: max, wait: wait)
                        outcome = .success(fetched.map { JetStreamMessage($0.raw, subscription: self) })
                    } catch {
                        outcome = .failure(error)
                    }
                    if let waiter = take() {
                        if case .success(let messages) = outcome { keepAlive?.hold(messages) }
                        waiter.resume(returning: outcome)
                    } else if case .success(let messages) = outcome {
                        // Nobody waits any more (cancelled): hand them back for someone else.
                        for message in messages { natsMsg_Nak(message.message.raw, nil) }
                    }
                }
                if !accepted { take()?.resume(returning: .failure(.closed)) }
                if Task.isCancelled { take()?.resume(returning: .success([])) }
            }
        } onCancel: {
            take()?.resume(returning: .success([]))
        }
        let messages = try result.get()
        // Messages already taken are returned even when cancelled: the caller hands them back.
        if messages.isEmpty && Task.isCancelled { throw CancellationError() }
        return messages
    }

    /// Acknowledges `acks` and hands back `naks` (after their delay, or at once when it is
    /// `nil`), in one job on the sending thread. Returns how many of them libnats refused
    /// (the connection closed): the server delivers those again after AckWait.
    @discardableResult
    public func settle(acks: [JetStreamMessage], naks: [(message: JetStreamMessage, delay: Duration?)]) async -> Int {
        guard !acks.isEmpty || !naks.isEmpty else { return 0 }
        let acked = acks.map(\.message)
        let naked = naks.map { ($0.message.message, $0.delay) }
        return (try? await connection.sender.run { () -> Int in
            var failures = 0
            for message in acked where natsMsg_Ack(message.raw, nil) != NATS_OK { failures += 1 }
            for (message, delay) in naked {
                let status = delay.map { natsMsg_NakWithDelay(message.raw, $0.milliseconds(atLeast: 0), nil) } ?? natsMsg_Nak(message.raw, nil)
                if status != NATS_OK { failures += 1 }
            }
            return failures
        }) ?? acks.count + naks.count
    }

    /// Tells the server `messages` are still being worked on, which restarts their AckWait.
    /// Queues `+WPI` for `messages` on the sending thread and returns at once (the keep-alive's
    /// own thread calls this: it must not wait on anything that a busy task pool could delay).
    func queueInProgress(_ messages: [JetStreamMessage]) {
        guard !messages.isEmpty else { return }
        let pointers = messages.map(\.message)
        connection.sender.submit {
            for message in pointers { natsMsg_InProgress(message.raw, nil) }
        }
    }

    public func markInProgress(_ messages: [JetStreamMessage]) async {
        guard !messages.isEmpty else { return }
        let pointers = messages.map(\.message)
        _ = try? await connection.sender.run {
            for message in pointers { natsMsg_InProgress(message.raw, nil) }
        }
    }

    /// Stops fetching: a fetch in progress ends at once (what it already received is handed
    /// back), later fetches fail. Runs on the sending thread, not behind the fetch.
    public func close() async {
        guard closed.withLock({ state in defer { state = true }; return !state }) else { return }
        let subscription = subscription
        _ = try? await connection.sender.run { natsSubscription_Unsubscribe(subscription.raw) }
        fetcher.stop()
    }

    // MARK: - On the fetching thread

    /// One pull request for up to `max` with `no_wait` and an expiry: the server answers at
    /// once with the messages it has ready, or, when it has none, with the first ones that
    /// arrive within `wait`, and ends the request as soon as it delivered some. (libnats' own
    /// `Fetch` would keep waiting until the whole batch or the timeout.)
    private func fetchNow(max: Int, wait: Duration) throws(NATSError) -> [NATSPointer] {
        try request(batch: max, noWait: true, expires: wait)
    }

    private func request(batch: Int, noWait: Bool, expires: Duration) throws(NATSError) -> [NATSPointer] {
        var request = jsFetchRequest()
        request.Batch = Int32(batch)
        request.NoWait = noWait
        request.Expires = expires.nanoseconds
        var list = natsMsgList()
        let status = natsSubscription_FetchRequest(&list, subscription.raw, &request)
        var messages: [NATSPointer] = []
        if list.Count > 0, let pointers = list.Msgs {
            for index in 0..<Int(list.Count) {
                if let message = pointers[index] { messages.append(NATSPointer(raw: message)) }
                pointers[index] = nil
            }
        }
        natsMsgList_Destroy(&list)
        guard status == NATS_OK || status == NATS_TIMEOUT || status == NATS_NOT_FOUND || !messages.isEmpty else {
            throw .last(status, "fetch from \(subject)")
        }
        return messages
    }
}
