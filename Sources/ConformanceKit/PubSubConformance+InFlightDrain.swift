import OutriggerCore

extension PubSubConformance {
    /// `inflightdrain` (tests.yml also accepts its old name `drain`): a message whose handler is
    /// still running when its subscription is cancelled, and which then fails as a handler does
    /// when the sidecar shuts down, comes back to the group's next subscriber; it is not lost.
    func inFlightDrain(_ pubsub: any PubSub) async -> StepResult {
        let step = Step.inFlightDrain.rawValue
        guard declares("inflightdrain") || declares("drain") else {
            return StepResult(step, .skipped("not listed in the profile's operations (inflightdrain)"))
        }
        let topic = topic("drain")
        let slowLog = DeliveryLog()
        let log = DeliveryLog()
        let release = Gate()
        let inFlight = "drain-\(runID)"
        do {
            let slow = try await pubsub.subscribe(SubscribeRequest(topic: topic, consumerGroup: group("drain"), maxConcurrency: 1)) { message in
                guard payload(of: message) == inFlight else { return }
                await slowLog.record(topic: topic, payload: inFlight, succeeded: false)
                await release.wait()
                throw ConformanceError("the subscriber is closing")
            }
            try await publish(pubsub, inFlight, to: topic)
            let started = await slowLog.wait(within: maxReadDuration) { $0.attempts[inFlight] != nil }
            // Cancel while the handler holds the message, and let the handler fail only once the
            // cancel has begun, so the failure is that of a closing subscriber.
            let closing = Task { await slow.cancel() }
            await Task.yield()
            release.open()
            await closing.value
            guard started else {
                return StepResult(step, .failed("the message never reached the first subscriber within \(maxReadDuration)"))
            }
            let next = try await pubsub.subscribe(SubscribeRequest(topic: topic, consumerGroup: group("drain")), handler: recordingHandler(log, topic: topic))
            let redelivered = await log.wait(within: maxReadDuration) { $0.successes[inFlight] != nil }
            await next.cancel()
            let attempts = await slowLog.snapshot.attempts[inFlight] ?? 0
            return redelivered
                ? StepResult(step, .passed, detail: "\(attempts) attempts by the closing subscriber")
                : StepResult(step, .failed("the message in flight when its subscriber closed never reached the next subscriber"))
        } catch {
            return StepResult(step, .failed("\(error)"))
        }
    }
}
