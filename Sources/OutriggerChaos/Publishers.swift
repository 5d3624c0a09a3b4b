import AsyncHTTPClient
import NIOCore
import Synchronization

/// The clients publishing the scenario's events through the sidecars' HTTP API
/// (`POST /v1.0/publish/pubsub/chaos`), each event's data `{"seq":N,"pad":"…"}` (about
/// 100 bytes). Concurrent clients take the next sequence number in turn, send it to a sidecar
/// that is up (round robin), and send it again (to whichever is up) until one answers 2xx or
/// `giveUpAfter` passed; only a 2xx counts as accepted. Event `n` is not sent before
/// `n × pace` after the start, so the faults land while events are still being published.
final class Publishers: Sendable {
    private let http: HTTPClient
    private let sidecars: [ChaosSidecar]
    private let ledger: DeliveryLedger
    private let clock: RunClock
    private let pace: Duration
    private let giveUpAfter: Duration
    private let next = Mutex(0)
    private let finished = Atomic<Int>(0)
    private static let padding = String(repeating: "x", count: 72)

    init(http: HTTPClient, sidecars: [ChaosSidecar], ledger: DeliveryLedger, clock: RunClock, pace: Duration, giveUpAfter: Duration = .seconds(120)) {
        self.http = http
        self.sidecars = sidecars
        self.ledger = ledger
        self.clock = clock
        self.pace = pace
        self.giveUpAfter = giveUpAfter
    }

    /// Events done with so far (accepted or given up on).
    var finishedCount: Int { finished.load(ordering: .relaxed) }

    /// Runs `clients` clients until every event was published or given up on.
    func run(clients: Int) async {
        let start = ContinuousClock.now
        await withTaskGroup(of: Void.self) { group in
            for client in 0..<clients {
                group.addTask { await self.client(client, start: start) }
            }
        }
    }

    private func client(_ client: Int, start: ContinuousClock.Instant) async {
        var turn = client
        while let sequence = take() {
            try? await Task.sleep(until: start.advanced(by: pace * sequence))
            let deadline = ContinuousClock.now.advanced(by: giveUpAfter)
            while ContinuousClock.now < deadline {
                turn += 1
                let live = sidecars.filter(\.isUp)
                guard !live.isEmpty else {
                    try? await Task.sleep(for: .milliseconds(50))
                    continue
                }
                if await publish(sequence, to: live[turn % live.count]) { break }
                try? await Task.sleep(for: .milliseconds(100))
            }
            finished.add(1, ordering: .relaxed)
        }
    }

    private func take() -> Int? {
        next.withLock { next in
            guard next < ledger.events else { return nil }
            defer { next += 1 }
            return next
        }
    }

    /// One try; true when the sidecar accepted the event.
    private func publish(_ sequence: Int, to sidecar: ChaosSidecar) async -> Bool {
        _ = ledger.publishTried(sequence)
        var request = HTTPClientRequest(url: "http://127.0.0.1:\(sidecar.httpPort)/v1.0/publish/pubsub/\(ChaosResources.topic)")
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/json")
        request.body = .bytes(ByteBuffer(string: #"{"seq":\#(sequence),"pad":"\#(Self.padding)"}"#))
        let startedAt = clock.now()
        guard let response = try? await http.execute(request, timeout: .seconds(30)) else { return false }
        _ = try? await response.body.collect(upTo: 1 << 16)
        guard (200..<300).contains(response.status.code) else { return false }
        ledger.publishAccepted(sequence, startedAt: startedAt)
        return true
    }
}
