import CMosquitto

/// Proof that a subscription is in place on the broker now: a SUBACK for a SUBSCRIBE sent after
/// a given instant. Unlike ``MQTTConnection/subscribe(_:qos:)``, which also returns once the
/// resumed session delivers, these wait for the SUBACK itself: after a broker restart the
/// session can come back without some of its subscriptions (mosquitto 2.0.11 does not restore
/// `$share/…` ones), and only the SUBACK says the broker has processed the SUBSCRIBE.
extension MQTTConnection {
    private enum ConfirmStep {
        case done
        case send(ContinuousClock.Instant)
        case wait
    }

    /// When the broker's CONNACK was read; `nil` before it.
    public var connectedAt: ContinuousClock.Instant? { state.withLock { $0.connectedAt } }

    /// When the latest SUBSCRIBE of `filter` that the broker granted on this connection was
    /// sent; `nil` when none was granted (yet).
    public func grantedSubscription(_ filter: String) -> ContinuousClock.Instant? {
        state.withLock { $0.grants.granted[filter] }
    }

    /// Returns once the broker granted a SUBSCRIBE of `filter` sent on this connection after
    /// `instant`, sending one when none was (another SUBSCRIBE of a filter the session has is
    /// harmless: the broker replaces the subscription, and sends the filter's retained messages
    /// again). Concurrent callers share one SUBSCRIBE.
    ///
    /// While a received message is held (unsettled), nothing more is read, so the SUBACK waits
    /// behind it: settle messages meanwhile, or bound the wait. Throws the connection's error
    /// when it ends, ``MQTTError/subscriptionRefused(topic:)`` for SUBACK 0x80, and
    /// `CancellationError` when the task is cancelled (the SUBSCRIBE stays sent).
    public func confirmSubscription(_ filter: String, qos: Int, sentAfter instant: ContinuousClock.Instant) async throws {
        while true {
            let step = try state.withLock { state -> ConfirmStep in
                switch state.phase {
                case .ended(let error): throw error
                case .connecting: throw MQTTError.connectionLost("not connected yet")
                case .connected: break
                }
                switch state.grants.answer(for: filter, sentAfter: instant) {
                case .granted: return .done
                case .refused: throw MQTTError.subscriptionRefused(topic: filter)
                case .waiting: return .wait
                case .needsSubscribe:
                    // Strictly after `instant`, even on a clock reading the same nanosecond.
                    let now = max(ContinuousClock.now, instant.advanced(by: .nanoseconds(1)))
                    state.grants.queueing(filter, at: now)
                    return .send(now)
                }
            }
            switch step {
            case .done: return
            case .send(let sentAt): try queueSubscribe(filter, qos: qos, at: sentAt)
            case .wait: try await nextAnswer(for: filter, sentAfter: instant)
            }
        }
    }

    /// Queues a SUBSCRIBE nobody awaits as a reply; its answer goes to the grants.
    private func queueSubscribe(_ filter: String, qos: Int, at sentAt: ContinuousClock.Instant) throws {
        var mid: Int32 = 0
        let code = mosquitto_subscribe(handle.pointer, &mid, filter, Int32(qos))
        let queued = code == MOSQ_ERR_SUCCESS.rawValue
        let woken = state.withLock { state -> [CheckedContinuation<Void, any Error>] in
            guard queued else {
                state.grants.notSent(filter, at: sentAt)
                return state.takeGrantWaiters(for: filter)
            }
            let woken = state.recordSubscribe(filter, mid: mid, at: sentAt)
            // Nobody awaits the reply itself: drop it, now or when it comes.
            if case .arrived = state.replies[mid] { state.replies[mid] = nil } else { state.replies[mid] = .ignored }
            return woken
        }
        for waiter in woken { waiter.resume() }
        guard queued else { throw MQTTError.library("subscribe to '\(filter)'", code) }
        wake.signal()
    }

    /// Returns when the broker answered a SUBSCRIBE of `filter` (or one failed to queue), or at
    /// once when nothing sent after `instant` is awaited any more.
    private func nextAnswer(for filter: String, sentAfter instant: ContinuousClock.Instant) async throws {
        let id = state.withLock { state in
            state.nextGrantWaiter += 1
            return state.nextGrantWaiter
        }
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
                let now = state.withLock { state -> Result<Void, any Error>? in
                    if case .ended(let error) = state.phase { return .failure(error) }
                    if Task.isCancelled { return .failure(CancellationError()) }
                    guard state.grants.answer(for: filter, sentAfter: instant) == .waiting else { return .success(()) }
                    state.grantWaiters[id] = (filter, continuation)
                    return nil
                }
                if let now { continuation.resume(with: now) }
            }
        } onCancel: {
            state.withLock { $0.grantWaiters.removeValue(forKey: id) }?.continuation.resume(throwing: CancellationError())
        }
    }
}

extension MQTTConnection.State {
    /// Records a SUBSCRIBE queued as packet `mid`; its SUBACK may have been read already (the
    /// loop thread runs on), then it is applied now (the reply stays for whoever awaits it).
    /// Returns the waiters to wake.
    mutating func recordSubscribe(_ filter: String, mid: Int32, at sentAt: ContinuousClock.Instant) -> [CheckedContinuation<Void, any Error>] {
        grants.sent(filter, mid: mid, at: sentAt)
        guard case .arrived(let code) = replies[mid] else { return [] }
        return recordSubscriptionAnswer(mid, code: code)
    }

    /// Applies the broker's answer to packet `mid` when it was a recorded SUBSCRIBE, and takes
    /// the waiters of its filter.
    mutating func recordSubscriptionAnswer(_ mid: Int32, code: Int32) -> [CheckedContinuation<Void, any Error>] {
        guard let filter = grants.answered(mid, code: code) else { return [] }
        return takeGrantWaiters(for: filter)
    }

    mutating func takeGrantWaiters(for filter: String) -> [CheckedContinuation<Void, any Error>] {
        let ids = grantWaiters.filter { $0.value.filter == filter }.map(\.key)
        return ids.compactMap { grantWaiters.removeValue(forKey: $0)?.continuation }
    }
}
