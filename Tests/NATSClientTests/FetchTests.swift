import Testing
@testable import NATSClient

@Suite("Fetching from a pull consumer")
struct FetchTests {
    @Test("a fetch for many returns a ready message without waiting for the batch to fill")
    func readyAtOnce() async throws {
        try await Scratch.with { scratch in
            _ = try await scratch.publish("ready")
            let subscription = try await scratch.subscribe()
            let clock = ContinuousClock()
            let start = clock.now
            let messages = try await subscription.fetch(max: 100, wait: .seconds(120))
            #expect(messages.map(\.text) == ["ready"])
            #expect(start.duration(to: clock.now) < .seconds(60))
        }
    }

    @Test("a fetch waiting for a first message returns it as soon as it is published")
    func waitsForFirst() async throws {
        try await Scratch.with { scratch in
            let subscription = try await scratch.subscribe()
            async let fetched = subscription.fetch(max: 100, wait: .seconds(120))
            try await scratch.untilPullWaits()
            _ = try await scratch.publish("late")
            let clock = ContinuousClock()
            let start = clock.now
            let messages = try await fetched
            #expect(messages.map(\.text) == ["late"])
            #expect(start.duration(to: clock.now) < .seconds(60))
        }
    }

    @Test("a fetch returns nothing when no message arrives within its wait")
    func empty() async throws {
        try await Scratch.with { scratch in
            let subscription = try await scratch.subscribe()
            let messages = try await subscription.fetch(max: 10, wait: .milliseconds(300))
            #expect(messages.isEmpty)
        }
    }

    @Test("a fetch returns at most the number asked for")
    func bounded() async throws {
        try await Scratch.with { scratch in
            for index in 1...5 { _ = try await scratch.publish("m\(index)") }
            let subscription = try await scratch.subscribe()
            let messages = try await subscription.fetch(max: 3, wait: .seconds(60))
            #expect(messages.map(\.text) == ["m1", "m2", "m3"])
        }
    }

    @Test("an acknowledged message is not delivered again; a NAKed one is, counting its deliveries")
    func ackAndNak() async throws {
        try await Scratch.with { scratch in
            _ = try await scratch.publish("keep")
            _ = try await scratch.publish("again")
            let subscription = try await scratch.subscribe()
            let first = try await subscription.fetch(max: 2, wait: .seconds(60))
            #expect(first.count == 2)
            let refused = await subscription.settle(acks: first.filter { $0.text == "keep" }, naks: first.filter { $0.text == "again" }.map { ($0, nil) })
            #expect(refused == 0)
            let second = try await subscription.fetch(max: 2, wait: .seconds(60))
            #expect(second.map(\.text) == ["again"])
            #expect(second.first?.deliveries == 2)
        }
    }

    @Test("in-progress acknowledgements keep a held message from redelivery past AckWait")
    func inProgress() async throws {
        // AckWait 2 s, ticks every 250 ms: a loaded CI box once delayed a tick past a 1 s AckWait.
        try await Scratch.with(ackWait: .seconds(2)) { scratch in
            _ = try await scratch.publish("slow")
            let holder = try await scratch.subscribe()
            let held = try await holder.fetch(max: 1, wait: .seconds(60))
            #expect(held.count == 1)
            let keepAlive = InProgressKeepAlive(interval: .milliseconds(250))
            keepAlive.hold(held)
            keepAlive.start()
            // Three AckWaits: without the keep-alive the message would come back to this reader.
            let other = try await scratch.subscribe()
            let stolen = try await other.fetch(max: 1, wait: .seconds(6))
            keepAlive.stop()
            #expect(stolen.isEmpty)
            await holder.settle(acks: held, naks: [])
        }
    }

    @Test("a cancelled fetch returns at once, and a message it still receives goes back to the consumer")
    func cancelled() async throws {
        try await Scratch.with { scratch in
            let subscription = try await scratch.subscribe()
            let fetching = Task { try await subscription.fetch(max: 1, wait: .seconds(3)) }
            fetching.cancel()
            let outcome = await fetching.result
            #expect(throws: CancellationError.self) { try outcome.get() }
            _ = try await scratch.publish("after cancel")
            let other = try await scratch.subscribe()
            let messages = try await other.fetch(max: 1, wait: .seconds(60))
            #expect(messages.map(\.text) == ["after cancel"])
        }
    }
}

@Suite("Closing a pull subscription")
struct CloseTests {
    @Test("closing ends a fetch that waits for messages, long before its wait is over")
    func closeEndsFetch() async throws {
        try await Scratch.with { scratch in
            let subscription = try await scratch.subscribe()
            let clock = ContinuousClock()
            let start = clock.now
            async let fetched = try? subscription.fetch(max: 10, wait: .seconds(600))
            try await scratch.untilPullWaits()
            await subscription.close()
            let messages = await fetched
            #expect(messages?.isEmpty ?? true)
            // Generous for a loaded box, and far below the fetch's own wait.
            #expect(start.duration(to: clock.now) < .seconds(120))
        }
    }
}
