import ArgumentParser

/// `saturate`: `PublishEvent` as fast as answers come back (closed loop).
///
/// `--concurrency` workers, spread over `--connections`, each sending its next request as soon
/// as the previous one is answered; the result is the answered requests per second and the
/// latency of each request from its send.
struct SaturateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "saturate",
        abstract: "Closed loop: PublishEvent from N concurrent workers back to back; requests/s and latency.")

    @OptionGroup var options: LoadOptions

    @Option(help: "Requests in flight at once (workers sending back to back).")
    var concurrency = 64

    func validate() throws {
        guard concurrency > 0 else { throw ValidationError("--concurrency must be at least 1") }
    }

    func run() async throws {
        let clock = ContinuousClock()
        let window = Duration.seconds(options.seconds)
        let recorder = SharedLoadRecorder()
        let request = PublishRequest.make(pubsub: options.pubsub, topic: options.topic)
        let concurrency = concurrency
        let elapsed = try await options.executor.run {
            try await PublishClients.with(port: options.port, count: min(options.connections, concurrency), client: options.client, request: request) { clients in
                let start = clock.now
                await withDiscardingTaskGroup { group in
                    for worker in 0..<concurrency {
                        let client = clients[worker % clients.count]
                        group.addTask {
                            while clock.now - start < window {
                                let sent = clock.now
                                let outcome = await client()
                                let answered = clock.now
                                recorder.record(outcome, latency: answered - sent, sendLag: .zero)
                            }
                        }
                    }
                }
                return clock.now - start
            }
        }
        let result = recorder.snapshot
        var fields = result.fields(elapsed: elapsed).filter { !$0.0.hasPrefix("send_lag") }
        fields.insert(("mode", "\"saturate\""), at: 0)
        fields.insert(("concurrency", "\(concurrency)"), at: 1)
                fields.insert(("connections", "\(min(options.connections, concurrency))"), at: 2)
        fields.insert(("client", "\"\(options.client.rawValue)\""), at: 3)
        result.reportFirstError()
        print(ResultLine.render(fields))
    }
}
