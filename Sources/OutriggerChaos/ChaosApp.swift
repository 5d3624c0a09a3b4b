import Hummingbird
import Logging
import NIOCore
import Synchronization

/// The app the sidecars deliver to, in the runner's process: one HTTP listener per sidecar (so
/// each delivery is known to come through sidecar 0 or 1), answering `GET /dapr/subscribe`,
/// the event route `POST /events` per the ``AnswerPlan``, and the dead-letter route
/// `POST /dead` always with success. Every request is recorded in the ``DeliveryLedger``.
public final class ChaosApp: Sendable {
    /// The listening port of each sidecar's listener, by ``SidecarIndex``.
    public let ports: [Int]
    private let paused: PauseSwitch
    private let tasks: [Task<Void, Never>]

    private init(ports: [Int], paused: PauseSwitch, tasks: [Task<Void, Never>]) {
        self.ports = ports
        self.paused = paused
        self.tasks = tasks
    }

    /// Starts `listeners` listeners on free ports and returns once all of them listen.
    /// - Parameters:
    ///   - subscriptions: the body of `GET /dapr/subscribe`.
    ///   - tooSlow: how long a ``AppAnswer/tooSlow`` answer is held (past the delivery timeout).
    public static func start(
        listeners: Int, subscriptions: String, plan: AnswerPlan, ledger: DeliveryLedger, clock: RunClock, tooSlow: Duration
    ) async throws -> ChaosApp {
        let paused = PauseSwitch()
        var ports: [Int] = []
        var tasks: [Task<Void, Never>] = []
        for sidecar in 0..<listeners {
            let handler = RequestHandler(
                sidecar: sidecar, subscriptions: subscriptions, plan: plan, ledger: ledger, clock: clock, tooSlow: tooSlow, paused: paused)
            let bound = AsyncStream<Int>.makeStream()
            let responder = CallbackResponder<BasicRequestContext> { request, _ in try await handler.respond(to: request) }
            var logger = Logger(label: "outrigger-chaos-app")
            logger.logLevel = .critical
            let application = Application(
                responder: responder,
                configuration: .init(address: .hostname("127.0.0.1", port: 0), serverName: "outrigger-chaos-app"),
                onServerRunning: { channel in
                    bound.continuation.yield(channel.localAddress?.port ?? 0)
                    bound.continuation.finish()
                },
                logger: logger)
            tasks.append(Task {
                try? await application.run()
                bound.continuation.finish()
            })
            var iterator = bound.stream.makeAsyncIterator()
            guard let port = await iterator.next(), port > 0 else {
                for task in tasks { task.cancel() }
                throw ChaosError("the chaos app could not listen on 127.0.0.1")
            }
            ports.append(port)
        }
        return ChaosApp(ports: ports, paused: paused, tasks: tasks)
    }

    /// Stops answering: requests arriving from now on are held until ``resume()`` and then
    /// answered with HTTP 503 (a failed attempt).
    public func pause() { paused.isOn = true }

    /// Answers again.
    public func resume() { paused.isOn = false }

    /// Stops the listeners.
    public func stop() async {
        resume()
        for task in tasks { task.cancel() }
        for task in tasks { await task.value }
    }
}

/// Whether the app is paused, shared by its listeners.
private final class PauseSwitch: Sendable {
    private let state = Atomic(false)

    var isOn: Bool {
        get { state.load(ordering: .relaxed) }
        set { state.store(newValue, ordering: .relaxed) }
    }
}

/// The request handling of one listener of the ``ChaosApp``.
private struct RequestHandler: Sendable {
    let sidecar: SidecarIndex
    let subscriptions: String
    let plan: AnswerPlan
    let ledger: DeliveryLedger
    let clock: RunClock
    let tooSlow: Duration
    let paused: PauseSwitch

    func respond(to request: Request) async throws -> Response {
        let path = request.uri.path
        if request.method == .get {
            guard path == "/dapr/subscribe" else { return Response(status: .notFound) }
            return json(.ok, subscriptions)
        }
        let body = try await request.body.collect(upTo: 1 << 20)
        guard let sequence = Self.sequence(in: body.readableBytesView), sequence < ledger.events else {
            return json(.ok, #"{"status":"DROP"}"#)
        }
        let arrived = clock.now()
        if path == "/dead" {
            ledger.record(Arrival(sequence: sequence, time: arrived, sidecar: sidecar, answer: nil, answeredInTime: true))
            return json(.ok, #"{"status":"SUCCESS"}"#)
        }
        let answer = plan.answer(sequence: sequence, attempt: ledger.nextAttempt(sequence))
        if paused.isOn {
            while paused.isOn { try? await Task.sleep(for: .milliseconds(50)) }
            ledger.record(Arrival(sequence: sequence, time: arrived, sidecar: sidecar, answer: answer, answeredInTime: false))
            return Response(status: .serviceUnavailable)
        }
        if answer == .tooSlow { try? await Task.sleep(for: tooSlow) }
        ledger.record(Arrival(sequence: sequence, time: arrived, sidecar: sidecar, answer: answer, answeredInTime: answer != .tooSlow))
        switch answer {
        case .success, .tooSlow: return json(.ok, #"{"status":"SUCCESS"}"#)
        case .emptySuccess: return Response(status: .ok)
        case .retry: return json(.ok, #"{"status":"RETRY"}"#)
        case .serverError: return Response(status: .internalServerError)
        }
    }

    private func json(_ status: HTTPResponse.Status, _ body: String) -> Response {
        Response(status: status, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(string: body)))
    }

    /// The number after the first `seq` in the body (the event's data is `{"seq":N,...}`,
    /// embedded in the CloudEvent as JSON, or as an escaped string).
    static func sequence(in bytes: ByteBufferView) -> Int? {
        let key = Array("\"seq".utf8)
        let all = Array(bytes)
        guard all.count >= key.count else { return nil }
        for start in 0...(all.count - key.count) where all[start..<(start + key.count)].elementsEqual(key) {
            var index = start + key.count
            while index < all.count, !(UInt8(ascii: "0")...UInt8(ascii: "9")).contains(all[index]), index - start < key.count + 4 { index += 1 }
            var value = 0
            var digits = 0
            while index < all.count, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(all[index]) {
                value = value * 10 + Int(all[index] - UInt8(ascii: "0"))
                digits += 1
                index += 1
            }
            return digits > 0 ? value : nil
        }
        return nil
    }
}
