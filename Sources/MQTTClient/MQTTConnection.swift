import CMosquitto
import CLibraryLoader
import Dispatch
import Foundation
import Synchronization

/// One MQTT 3.1.1 connection on libmosquitto, with its network loop on a thread of its own.
///
/// - **Publish** queues the PUBLISH and returns when the broker acknowledged it (PUBACK for
///   QoS 1, PUBCOMP for QoS 2, written to the socket for QoS 0); ``publish(topic:payload:qos:retain:)``
///   maps libmosquitto's `on_publish(mid)` back to its caller.
/// - **Receive, one at a time, acknowledged after the work is done.** libmosquitto 2.0.11 has
///   no manual acknowledgement (`mosquitto_manual_ack` is not in its header): it queues the
///   PUBACK of a QoS 1 message *before* calling `on_message`. This connection therefore runs
///   its own loop (`poll` + `mosquitto_loop_read/_write/_misc`, threaded mode so nothing is
///   written from inside the read) and holds the loop thread in `on_message` until the message
///   is settled: ``MQTTMessage/accept()`` lets the queued PUBACK go out, and it is flushed
///   before the next packet is read; ``MQTTMessage/reject()`` shuts the socket down while the
///   PUBACK is still queued, so it never reaches the broker, and a persistent session gets the
///   message again on its next connection. The bound of the bridge is one message: nothing
///   more is read from the socket (the broker keeps the rest) until that one is settled.
/// - **Connection loss** ends the connection for good: every waiting call fails with
///   ``MQTTError/connectionLost(_:)``. Reconnecting is the owner's job (a new connection with
///   the same client id resumes the session).
///
/// Threads: the loop thread runs every libmosquitto callback; the async methods may be called
/// from any task.
public final class MQTTConnection: Sendable {
    enum Phase: Sendable {
        case connecting
        case connected
        case ended(MQTTError)
    }

    /// What the loop thread does with the message it holds.
    enum Outcome: Sendable {
        case pending
        case accept
        case reject
    }

    enum Reply {
        case waiting(CheckedContinuation<Int32, any Error>)
        case arrived(Int32)
        /// Nobody waits for this answer: drop it when it comes.
        case ignored
    }

    struct State {
        var phase = Phase.connecting
        var sessionPresent = false
        /// When the CONNACK was read.
        var connectedAt: ContinuousClock.Instant?
        /// SUBSCRIBEs sent and answered, for ``confirmSubscription(_:qos:sentAfter:)``.
        var grants = SubscriptionGrants()
        var grantWaiters: [UInt64: (filter: String, continuation: CheckedContinuation<Void, any Error>)] = [:]
        var nextGrantWaiter: UInt64 = 0
        var connectWaiter: CheckedContinuation<Void, any Error>?
        var replies: [Int32: Reply] = [:]
        var inbox: MQTTMessage?
        var inboxWaiter: CheckedContinuation<MQTTMessage, any Error>?
        /// SUBSCRIBEs whose wait also ends when a message is held (see `subscribe`).
        var endsWithMessage: Set<Int32> = []
        /// SUBSCRIBEs answered early that way, whose SUBACK is dropped when it comes.
        var answeredEarly: Set<Int32> = []
        var deliveries: UInt64 = 0
        var held: (delivery: UInt64, outcome: Outcome)?
        var stopRequested = false
        /// The socket was half-closed to refuse a message: read until the broker closes.
        var drainBeforeClose = false
        var endWaiters: [CheckedContinuation<Void, Never>] = []
        var loopEnded = false
    }

    /// What the connection was made with.
    public let configuration: MQTTConfiguration
    let handle: MQTTHandle
    let wake = WakePipe()
    let state = Mutex(State())
    /// Signalled when the held message is settled or the connection is closing.
    let released = DispatchSemaphore(value: 0)

    private init(configuration: MQTTConfiguration, handle: MQTTHandle) {
        self.configuration = configuration
        self.handle = handle
    }

    /// Connects and returns once the broker accepted the session (CONNACK 0).
    public static func connect(_ configuration: MQTTConfiguration) async throws -> MQTTConnection {
        if let failure = outrigger_load_mosquitto() {
            throw MQTTError.library(operation: "loading libmosquitto", code: MOSQ_ERR_UNKNOWN.rawValue, message: String(cString: failure))
        }
        guard let handle = MQTTHandle(clientID: configuration.clientID, cleanSession: configuration.cleanSession) else {
            throw MQTTError.library("mosquitto_new", MOSQ_ERR_NOMEM.rawValue)
        }
        let connection = MQTTConnection(configuration: configuration, handle: handle)
        try connection.configure()
        connection.installCallbacks()
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
            connection.state.withLock { $0.connectWaiter = continuation }
            let thread = Thread { connection.runLoop() }
            thread.name = "mqtt \(configuration.clientID)"
            thread.start()
        }
        return connection
    }

    /// Whether the connection is up (it never comes back once ended).
    public var isConnected: Bool {
        state.withLock { if case .connected = $0.phase { true } else { false } }
    }

    /// Whether the broker resumed a stored session (CONNACK session-present): its
    /// subscriptions are still in place and its unacknowledged messages come first.
    public var sessionPresent: Bool { state.withLock { $0.sessionPresent } }

    /// Why the connection ended, or `nil` while it is up.
    public var endReason: MQTTError? {
        state.withLock { if case .ended(let error) = $0.phase { error } else { nil } }
    }

    /// Publishes and returns once the broker acknowledged it (see the type's documentation).
    public func publish(topic: String, payload: [UInt8], qos: Int, retain: Bool) async throws {
        try ensureConnected()
        var mid: Int32 = 0
        let code = payload.withUnsafeBytes { bytes in
            mosquitto_publish(handle.pointer, &mid, topic, Int32(bytes.count), bytes.baseAddress, Int32(qos), retain)
        }
        guard code == MOSQ_ERR_SUCCESS.rawValue else { throw MQTTError.library("publish to '\(topic)'", code) }
        wake.signal()
        _ = try await reply(mid)
    }

    /// Subscribes `filter` (wildcards and `$share/group/...` as the broker supports them) and
    /// returns once the broker granted it (SUBACK).
    ///
    /// On a resumed session (``sessionPresent``) the broker sends the messages it kept before it
    /// reads the SUBSCRIBE, and each one holds the loop until it is settled, so the SUBACK
    /// cannot arrive before someone reads them: the wait then also ends when a message is held
    /// — the session's subscription is live, since it is delivering. The SUBACK itself is still
    /// recorded when it comes (``grantedSubscription(_:)``).
    public func subscribe(_ filter: String, qos: Int) async throws {
        try ensureConnected()
        var mid: Int32 = 0
        let sentAt = ContinuousClock.now
        let code = mosquitto_subscribe(handle.pointer, &mid, filter, Int32(qos))
        guard code == MOSQ_ERR_SUCCESS.rawValue else { throw MQTTError.library("subscribe to '\(filter)'", code) }
        let (live, woken) = state.withLock { state -> (Bool, [CheckedContinuation<Void, any Error>]) in
            let woken = state.recordSubscribe(filter, mid: mid, at: sentAt)
            if state.held != nil || state.inbox != nil {
                if case .arrived = state.replies[mid] { state.replies[mid] = nil } else { state.replies[mid] = .ignored }
                return (true, woken)
            }
            state.endsWithMessage.insert(mid)
            return (false, woken)
        }
        for waiter in woken { waiter.resume() }
        wake.signal()
        guard !live else { return }
        let granted = try await reply(mid)
        if granted == 0x80 { throw MQTTError.subscriptionRefused(topic: filter) }
    }

    /// Removes the subscription to `filter` and returns once the broker confirmed (UNSUBACK).
    /// The broker answers for a filter that has no subscription too, which makes it a cheap
    /// round trip.
    public func unsubscribe(_ filter: String) async throws {
        try ensureConnected()
        var mid: Int32 = 0
        let code = mosquitto_unsubscribe(handle.pointer, &mid, filter)
        guard code == MOSQ_ERR_SUCCESS.rawValue else { throw MQTTError.library("unsubscribe from '\(filter)'", code) }
        wake.signal()
        _ = try await reply(mid)
    }

    /// The next message received, waiting for one; throws when the connection ended, or
    /// `CancellationError` when the waiting task is cancelled (a message arriving afterwards
    /// waits for the next call).
    public func nextMessage() async throws -> MQTTMessage {
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<MQTTMessage, any Error>) in
                let ready = state.withLock { state -> Result<MQTTMessage, any Error>? in
                    if let message = state.inbox {
                        state.inbox = nil
                        return .success(message)
                    }
                    if case .ended(let error) = state.phase { return .failure(error) }
                    if Task.isCancelled { return .failure(CancellationError()) }
                    state.inboxWaiter = continuation
                    return nil
                }
                if let ready { continuation.resume(with: ready) }
            }
        } onCancel: {
            state.withLock { state in
                defer { state.inboxWaiter = nil }
                return state.inboxWaiter
            }?.resume(throwing: CancellationError())
        }
    }

    /// Ends the connection and waits for its loop thread: a DISCONNECT when no message is
    /// held, else the socket is dropped so the held message is redelivered. Later calls wait
    /// for the same end.
    public func close() async {
        let alreadyEnded = state.withLock { state -> Bool in
            state.stopRequested = true
            if let held = state.held, case .pending = held.outcome { state.held = (held.delivery, .reject) }
            return state.loopEnded
        }
        released.signal()
        wake.signal()
        guard !alreadyEnded else { return }
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let ended = state.withLock { state -> Bool in
                if state.loopEnded { return true }
                state.endWaiters.append(continuation)
                return false
            }
            if ended { continuation.resume() }
        }
    }

    // MARK: - Internals shared with the loop and the callbacks

    private func ensureConnected() throws {
        try state.withLock { state in
            switch state.phase {
            case .connected: return
            case .connecting: throw MQTTError.connectionLost("not connected yet")
            case .ended(let error): throw error
            }
        }
    }

    /// Waits for the broker's answer to packet `mid`, which may already have arrived. A
    /// cancelled wait throws `CancellationError`; the answer, when it comes, is dropped (the
    /// packet itself stays sent).
    private func reply(_ mid: Int32) async throws -> Int32 {
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { continuation in
                let now = state.withLock { state -> Result<Int32, any Error>? in
                    if case .arrived(let value) = state.replies[mid] {
                        state.replies[mid] = nil
                        return .success(value)
                    }
                    if case .ended(let error) = state.phase { return .failure(error) }
                    if Task.isCancelled { return .failure(CancellationError()) }
                    state.replies[mid] = .waiting(continuation)
                    return nil
                }
                if let now { continuation.resume(with: now) }
            }
        } onCancel: {
            let waiter = state.withLock { state -> CheckedContinuation<Int32, any Error>? in
                guard case .waiting(let continuation) = state.replies[mid] else { return nil }
                state.replies[mid] = .ignored
                return continuation
            }
            waiter?.resume(throwing: CancellationError())
        }
    }

    func replyReceived(_ mid: Int32, value: Int32) {
        let (waiter, grantWaiters) = state.withLock { state -> (CheckedContinuation<Int32, any Error>?, [CheckedContinuation<Void, any Error>]) in
            let grantWaiters = state.recordSubscriptionAnswer(mid, code: value)
            state.endsWithMessage.remove(mid)
            if state.answeredEarly.remove(mid) != nil { return (nil, grantWaiters) }
            switch state.replies[mid] {
            case .waiting(let continuation):
                state.replies[mid] = nil
                return (continuation, grantWaiters)
            case .ignored:
                state.replies[mid] = nil
                return (nil, grantWaiters)
            case .arrived, nil:
                state.replies[mid] = .arrived(value)
                return (nil, grantWaiters)
            }
        }
        waiter?.resume(returning: value)
        for grantWaiter in grantWaiters { grantWaiter.resume() }
    }

    func connackReceived(_ code: Int32, flags: Int32) {
        guard code == 0 else {
            end(.refused(code: code, message: String(cString: mosquitto_connack_string(code))))
            return
        }
        let waiter = state.withLock { state -> CheckedContinuation<Void, any Error>? in
            guard case .connecting = state.phase else { return nil }
            state.phase = .connected
            state.sessionPresent = flags & 1 != 0
            state.connectedAt = ContinuousClock.now
            defer { state.connectWaiter = nil }
            return state.connectWaiter
        }
        waiter?.resume()
    }

    /// Hands the message to the reader and holds the loop thread until it is settled; a
    /// rejected QoS 1 or 2 message drops the connection (for QoS 1 before its queued PUBACK is
    /// written; a QoS 2 message was handed over at PUBREC already).
    func messageReceived(topic: String, payload: [UInt8], qos: Int, retained: Bool, messageID: Int) {
        let (message, waiter, subscribers) = state.withLock { state -> (MQTTMessage, CheckedContinuation<MQTTMessage, any Error>?, [CheckedContinuation<Int32, any Error>]) in
            var subscribers: [CheckedContinuation<Int32, any Error>] = []
            for mid in state.endsWithMessage {
                if case .waiting(let continuation) = state.replies[mid] {
                    subscribers.append(continuation)
                    state.replies[mid] = .ignored
                } else {
                    // The subscriber has not started waiting: it finds this answer.
                    state.replies[mid] = .arrived(Int32(qos))
                    state.answeredEarly.insert(mid)
                }
            }
            state.endsWithMessage = []
            state.deliveries += 1
            let message = MQTTMessage(
                topic: topic, payload: payload, qos: qos, retained: retained, messageID: messageID, delivery: state.deliveries, connection: self)
            state.held = (state.deliveries, state.stopRequested ? .reject : .pending)
            if let waiter = state.inboxWaiter {
                state.inboxWaiter = nil
                return (message, waiter, subscribers)
            }
            state.inbox = message
            return (message, nil, subscribers)
        }
        for subscriber in subscribers { subscriber.resume(returning: Int32(qos)) }
        waiter?.resume(returning: message)
        while true {
            let outcome = state.withLock { $0.held?.outcome ?? .reject }
            if case .pending = outcome {
                released.wait()
                continue
            }
            state.withLock { state in
                state.held = nil
                state.inbox = nil
            }
            if case .reject = outcome, qos > 0 { dropWithoutAcknowledging() }
            return
        }
    }

    func settle(_ delivery: UInt64, accepted: Bool) {
        let settled = state.withLock { state -> Bool in
            guard let held = state.held, held.delivery == delivery, case .pending = held.outcome else { return false }
            state.held = (delivery, accepted ? .accept : .reject)
            return true
        }
        if settled { released.signal() }
    }

    /// Ends the connection once (the first reason wins) and fails everyone waiting.
    func end(_ error: MQTTError) {
        let (connectWaiter, replies, inboxWaiter, grantWaiters) = state.withLock { state in
            if case .ended = state.phase { return (nil, [], nil, []) as (CheckedContinuation<Void, any Error>?, [Reply], CheckedContinuation<MQTTMessage, any Error>?, [CheckedContinuation<Void, any Error>]) }
            state.phase = .ended(error)
            defer {
                state.connectWaiter = nil
                state.replies = [:]
                state.inboxWaiter = nil
                state.grantWaiters = [:]
            }
            return (state.connectWaiter, Array(state.replies.values), state.inboxWaiter, state.grantWaiters.values.map(\.continuation))
        }
        connectWaiter?.resume(throwing: error)
        inboxWaiter?.resume(throwing: error)
        for case .waiting(let continuation) in replies { continuation.resume(throwing: error) }
        for waiter in grantWaiters { waiter.resume(throwing: error) }
    }
}
