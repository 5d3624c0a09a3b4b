import BuiltinComponents
import OutriggerCore
import Synchronization
import Testing

@Suite("pubsub.in-memory")
struct InMemoryPubSubTests {
    func broker(_ properties: [String: String] = [:]) throws -> InMemoryPubSub {
        try InMemoryPubSub(metadata: ComponentMetadata(name: "memory", type: "pubsub.in-memory", properties: properties))
    }

    func message(_ text: String, topic: String = "t") -> OutgoingMessage {
        OutgoingMessage(topic: topic, data: Array(text.utf8), contentType: "text/plain")
    }

    @Test("a nacked message is delivered again to the group")
    func nackRedelivers() async throws {
        let pubsub = try broker()
        let seen = AsyncStream<String>.makeStream()
        let failures = Mutex(1)
        let subscription = try await pubsub.subscribe(SubscribeRequest(topic: "t", consumerGroup: "g")) { message in
            seen.continuation.yield(String(decoding: message.data, as: UTF8.self))
            let fail = failures.withLock { remaining -> Bool in
                defer { remaining -= 1 }
                return remaining > 0
            }
            if fail { throw ComponentError(.retriable, "first attempt fails") }
        }
        try await pubsub.publish(message("a"))
        var iterator = seen.stream.makeAsyncIterator()
        #expect(await iterator.next() == "a")
        #expect(await iterator.next() == "a")
        await subscription.cancel()
    }

    @Test("a subscription at maxConcurrency stops taking messages until a handler finishes")
    func backPressure() async throws {
        let pubsub = try broker()
        let running = Mutex(0)
        let peak = Mutex(0)
        let release = AsyncStream<Void>.makeStream()
        let started = AsyncStream<Void>.makeStream()
        let gate = Gate()
        let subscription = try await pubsub.subscribe(SubscribeRequest(topic: "t", consumerGroup: "g", maxConcurrency: 2)) { _ in
            let now = running.withLock { $0 += 1; return $0 }
            peak.withLock { $0 = max($0, now) }
            started.continuation.yield()
            await gate.wait()
            running.withLock { $0 -= 1 }
        }
        for index in 0..<6 { try await pubsub.publish(message("m\(index)")) }
        var startedIterator = started.stream.makeAsyncIterator()
        await startedIterator.next()
        await startedIterator.next()
        for _ in 0..<50 { await Task.yield() }
        #expect(running.withLock { $0 } == 2)
        await gate.open()
        for _ in 0..<4 { await startedIterator.next() }
        await subscription.cancel()
        #expect(peak.withLock { $0 } == 2)
        release.continuation.finish()
    }

    @Test("cancelling one subscription leaves the other topic's subscription running")
    func cancelStopsOnlyOne() async throws {
        let pubsub = try broker()
        let received = AsyncStream<String>.makeStream()
        let first = try await pubsub.subscribe(SubscribeRequest(topic: "a", consumerGroup: "g")) { _ in
            received.continuation.yield("a")
        }
        let second = try await pubsub.subscribe(SubscribeRequest(topic: "b", consumerGroup: "g")) { _ in
            received.continuation.yield("b")
        }
        await first.cancel()
        try await pubsub.publish(message("x", topic: "b"))
        var iterator = received.stream.makeAsyncIterator()
        #expect(await iterator.next() == "b")
        await second.cancel()
    }

    @Test("messages left by a cancelled subscriber go to the next subscriber of the group")
    func groupKeepsMessages() async throws {
        let pubsub = try broker()
        let first = try await pubsub.subscribe(SubscribeRequest(topic: "t", consumerGroup: "g")) { _ in
            throw ComponentError(.retriable, "not now")
        }
        try await pubsub.publish(message("kept"))
        await first.cancel()
        let received = AsyncStream<String>.makeStream()
        let second = try await pubsub.subscribe(SubscribeRequest(topic: "t", consumerGroup: "g")) { message in
            received.continuation.yield(String(decoding: message.data, as: UTF8.self))
        }
        var iterator = received.stream.makeAsyncIterator()
        #expect(await iterator.next() == "kept")
        await second.cancel()
    }

    @Test("a full buffer refuses the publish with a retriable error")
    func boundedBuffer() async throws {
        let pubsub = try broker(["maxBufferedMessages": "2"])
        let gate = Gate()
        let started = AsyncStream<Void>.makeStream()
        let subscription = try await pubsub.subscribe(SubscribeRequest(topic: "t", consumerGroup: "g", maxConcurrency: 1)) { _ in
            started.continuation.yield()
            await gate.wait()
        }
        // One message in the handler (the consumer is at its bound and reads no more), two buffered.
        try await pubsub.publish(message("1"))
        var iterator = started.stream.makeAsyncIterator()
        await iterator.next()
        try await pubsub.publish(message("2"))
        try await pubsub.publish(message("3"))
        await #expect(throws: ComponentError.self) { try await pubsub.publish(message("4")) }
        await gate.open()
        await subscription.cancel()
    }

    @Test("bad metadata names the field")
    func badMetadata() {
        #expect(throws: ComponentConfigurationError.self) { try broker(["maxBufferedMessages": "many"]) }
    }
}

/// Holds handlers until the test opens it.
actor Gate {
    private var isOpen = false
    private var waiters: [CheckedContinuation<Void, Never>] = []

    func wait() async {
        if isOpen { return }
        await withCheckedContinuation { waiters.append($0) }
    }

    func open() {
        isOpen = true
        for waiter in waiters { waiter.resume() }
        waiters = []
    }
}

/// Message bodies cross the component protocol as `[UInt8]`, a shared-storage value: handing a
/// body from publish to broker to handler copies nothing (docs/architecture.md, "Message bodies").
@Suite("Message bodies")
struct MessageBodyTests {
    @Test("the in-memory broker hands the handler the published body's storage, not a copy")
    func noCopyPerHop() async throws {
        let pubsub = try InMemoryPubSub(metadata: ComponentMetadata(name: "bodies", type: "pubsub.in-memory"))
        let body = [UInt8](repeating: 7, count: 4096)
        let published = body.withUnsafeBufferPointer { UInt(bitPattern: $0.baseAddress) }
        let received = AsyncStream<UInt>.makeStream()
        let subscription = try await pubsub.subscribe(SubscribeRequest(topic: "t", consumerGroup: "g")) { message in
            received.continuation.yield(message.data.withUnsafeBufferPointer { UInt(bitPattern: $0.baseAddress) })
        }
        try await pubsub.publish(OutgoingMessage(topic: "t", data: body, contentType: "application/octet-stream"))
        var iterator = received.stream.makeAsyncIterator()
        #expect(await iterator.next() == published)
        await subscription.cancel()
    }
}
