import ArgumentParser
import NIOCore

/// `load`: `PublishEvent` at a fixed rate (open loop).
///
/// Every request has a scheduled send time, `--connections` staggered schedules adding up to
/// `--qps`; a request is sent at its time whether or not earlier answers came back, and its
/// latency is counted from the scheduled time, not from when it was actually sent. A server (or
/// this client) that falls behind therefore shows its queueing in the percentiles instead of
/// slowing the sender down and hiding it. `send_lag_p99_us` says how late this client itself
/// sent (the part of the latency that is the load generator's).
struct OpenLoopCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "load",
        abstract: "Open loop: PublishEvent at a fixed rate; latency from each request's scheduled send time.")

    @OptionGroup var options: LoadOptions

    @Option(help: "Requests per second, over all connections.")
    var qps = 1000

    func validate() throws {
        guard qps > 0 else { throw ValidationError("--qps must be at least 1") }
    }

    func run() async throws {
        let clock = ContinuousClock()
        let perConnection = Duration.seconds(options.connections) / qps
        let window = Duration.seconds(options.seconds)
        let recorder = SharedLoadRecorder()
        let request = PublishRequest.make(pubsub: options.pubsub, topic: options.topic)
        if options.client == .nioH2 {
            // Each call timed by its connection's event loop (``NIOH2PublishClient/calls``).
            let elapsed = try await PublishClients.withNIOH2Clients(port: options.port, count: options.connections, request: request) { clients in
                let start = NIODeadline.now() + .milliseconds(50)
                let interval = TimeAmount.nanoseconds(Int64(options.connections) * 1_000_000_000 / Int64(qps))
                let end = start + .nanoseconds(Int64(options.seconds * 1e9))
                var runs: [EventLoopFuture<Void>] = []
                for (index, client) in clients.enumerated() {
                    let first: NIODeadline = start + .nanoseconds(interval.nanoseconds * Int64(index) / Int64(clients.count))
                    runs.append(client.calls(from: first, every: interval, until: end) { outcome, latency, sendLag in
                        recorder.record(outcome, latency: Duration.nanoseconds(latency.nanoseconds), sendLag: Duration.nanoseconds(sendLag.nanoseconds))
                    })
                }
                for run in runs { try await run.get() }
                return Duration.nanoseconds((NIODeadline.now() - start).nanoseconds)
            }
            report(recorder.snapshot, elapsed: elapsed)
            return
        }
        let elapsed = try await options.executor.run {
            try await PublishClients.with(port: options.port, count: options.connections, client: options.client, request: request) { clients in
                let start = clock.now + .milliseconds(50)
                await withDiscardingTaskGroup { group in
                    for (index, client) in clients.enumerated() {
                        let first = start + perConnection * index / clients.count
                        group.addTask {
                            await withDiscardingTaskGroup { requests in
                                var due = first
                                while due - start < window {
                                    try? await clock.sleep(until: due, tolerance: .zero)
                                    let sent = clock.now
                                    let scheduled = due
                                    requests.addTask {
                                        let outcome = await client()
                                        let answered = clock.now
                                        recorder.record(outcome, latency: answered - scheduled, sendLag: sent - scheduled)
                                    }
                                    due += perConnection
                                }
                            }
                        }
                    }
                }
                return clock.now - start
            }
        }
        report(recorder.snapshot, elapsed: elapsed)
    }

    private func report(_ result: LoadRecorder, elapsed: Duration) {
        var fields = result.fields(elapsed: elapsed)
        fields.insert(("mode", "\"load\""), at: 0)
        fields.insert(("qps", "\(qps)"), at: 1)
        fields.insert(("connections", "\(options.connections)"), at: 2)
        fields.insert(("client", "\"\(options.client.rawValue)\""), at: 3)
        result.reportFirstError()
        print(ResultLine.render(fields))
    }
}
