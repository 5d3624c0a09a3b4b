import Testing

@testable import AMQPClient

@Suite("ConfirmTracker")
struct ConfirmTrackerTests {
    static func tracker(_ count: Int) -> ConfirmTracker<Int> {
        var tracker = ConfirmTracker<Int>()
        for waiter in 1...count { tracker.published(waiter, exchange: "e", routingKey: "k", body: [UInt8(waiter)]) }
        return tracker
    }

    /// Each answered waiter with `ok` or its error.
    static func outcome(_ answered: [(waiter: Int, result: Result<Void, AMQPError>)]) -> [Int: String] {
        var outcome: [Int: String] = [:]
        for (waiter, result) in answered {
            if case .failure(let error) = result { outcome[waiter] = "\(error)" } else { outcome[waiter] = "ok" }
        }
        return outcome
    }

    @Test("publishes are numbered from 1, as the broker numbers them")
    func numbering() {
        var tracker = ConfirmTracker<Int>()
        #expect(tracker.published(7, exchange: "", routingKey: "q", body: []) == 1)
        #expect(tracker.published(8, exchange: "", routingKey: "q", body: []) == 2)
        #expect(tracker.count == 2)
    }

    @Test("a single ack answers its own publish only")
    func single() {
        var tracker = Self.tracker(3)
        #expect(Self.outcome(tracker.confirmed(2, multiple: false, refused: false)) == [2: "ok"])
        #expect(tracker.count == 2)
    }

    @Test("a multiple ack answers every waiting publish up to its tag")
    func multiple() {
        var tracker = Self.tracker(5)
        _ = tracker.confirmed(2, multiple: false, refused: false)
        #expect(Self.outcome(tracker.confirmed(4, multiple: true, refused: false)) == [1: "ok", 3: "ok", 4: "ok"])
        #expect(tracker.count == 1)
    }

    @Test("a nack fails the publishes it names")
    func nack() {
        var tracker = Self.tracker(2)
        #expect(Self.outcome(tracker.confirmed(2, multiple: true, refused: true)) == [1: "\(AMQPError.nacked)", 2: "\(AMQPError.nacked)"])
    }

    @Test("a return marks the matching publish, which fails at its ack; the others succeed")
    func returned() {
        var tracker = Self.tracker(3)
        let error = AMQPError.unroutable(code: 312, text: "NO_ROUTE")
        tracker.returned(exchange: "e", routingKey: "k", body: [2], error: error)
        #expect(Self.outcome(tracker.confirmed(3, multiple: true, refused: false)) == [1: "ok", 2: "\(error)", 3: "ok"])
    }

    @Test("a return of identical messages marks the oldest one not yet marked")
    func identicalReturns() {
        var tracker = ConfirmTracker<Int>()
        for waiter in 1...2 { tracker.published(waiter, exchange: "e", routingKey: "k", body: [0]) }
        let error = AMQPError.unroutable(code: 312, text: "NO_ROUTE")
        tracker.returned(exchange: "e", routingKey: "k", body: [0], error: error)
        #expect(Self.outcome(tracker.confirmed(2, multiple: true, refused: false)) == [1: "\(error)", 2: "ok"])
    }

    @Test("closing fails every waiting publish in tag order")
    func failAll() {
        var tracker = Self.tracker(3)
        _ = tracker.confirmed(2, multiple: false, refused: false)
        #expect(tracker.failAll() == [1, 3])
        #expect(tracker.count == 0)
    }
}
