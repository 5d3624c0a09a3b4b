import OutriggerSeam
import Testing

@Suite("Keyed scheduler")
struct KeyedSchedulerTests {
    typealias Scheduler = KeyedScheduler<String, String>

    @Test("items without a key start at once, in parallel")
    func unkeyed() {
        var scheduler = Scheduler()
        #expect(scheduler.admit("a", key: nil) == "a")
        #expect(scheduler.admit("b", key: nil) == "b")
        #expect(scheduler.runningCount == 2)
        #expect(scheduler.waitingCount == 0)
    }

    @Test("finishing an item without a key frees its place and starts nothing")
    func unkeyedFinished() {
        var scheduler = Scheduler()
        _ = scheduler.admit("a", key: nil)
        #expect(scheduler.finished(key: nil) == nil)
        #expect(scheduler.runningCount == 0)
    }

    @Test("finishing an unkeyed item when none runs changes nothing")
    func unkeyedFinishedIdle() {
        var scheduler = Scheduler()
        #expect(scheduler.finished(key: nil) == nil)
        _ = scheduler.admit("a", key: nil)
        #expect(scheduler.runningCount == 1)
    }

    @Test("the first item of an idle key starts at once and makes the key busy")
    func firstOfKey() {
        var scheduler = Scheduler()
        #expect(scheduler.admit("a1", key: "a") == "a1")
        #expect(scheduler.isBusy("a"))
        #expect(scheduler.runningCount == 1)
    }

    @Test("an item of a busy key waits")
    func busyKeyWaits() {
        var scheduler = Scheduler()
        _ = scheduler.admit("a1", key: "a")
        #expect(scheduler.admit("a2", key: "a") == nil)
        #expect(scheduler.runningCount == 1)
        #expect(scheduler.waitingCount == 1)
    }

    @Test("items of different keys run in parallel")
    func differentKeys() {
        var scheduler = Scheduler()
        #expect(scheduler.admit("a1", key: "a") == "a1")
        #expect(scheduler.admit("b1", key: "b") == "b1")
        #expect(scheduler.admit("x", key: nil) == "x")
        #expect(scheduler.runningCount == 3)
    }

    @Test("finishing a key starts its next items one at a time, in arrival order")
    func sameKeyInOrder() {
        var scheduler = Scheduler()
        for item in ["a1", "a2", "a3"] { _ = scheduler.admit(item, key: "a") }
        #expect(scheduler.finished(key: "a") == "a2")
        #expect(scheduler.runningCount == 1)
        #expect(scheduler.waitingCount == 1)
        #expect(scheduler.finished(key: "a") == "a3")
        #expect(scheduler.finished(key: "a") == nil)
    }

    @Test("arrival order holds when admissions and finishes interleave")
    func interleaved() {
        var scheduler = Scheduler()
        for item in ["a1", "a2", "a3"] { _ = scheduler.admit(item, key: "a") }
        #expect(scheduler.finished(key: "a") == "a2")
        _ = scheduler.admit("a4", key: "a")
        #expect(scheduler.finished(key: "a") == "a3")
        _ = scheduler.admit("a5", key: "a")
        #expect(scheduler.finished(key: "a") == "a4")
        #expect(scheduler.finished(key: "a") == "a5")
    }

    @Test("finishing one key does not start another key's waiting item")
    func finishingIsPerKey() {
        var scheduler = Scheduler()
        _ = scheduler.admit("a1", key: "a")
        _ = scheduler.admit("b1", key: "b")
        _ = scheduler.admit("b2", key: "b")
        #expect(scheduler.finished(key: "a") == nil)
        #expect(scheduler.waitingCount == 1)
        #expect(scheduler.isBusy("b"))
    }

    @Test("a key is forgotten after its last item finishes")
    func keyForgotten() {
        var scheduler = Scheduler()
        _ = scheduler.admit("a1", key: "a")
        #expect(scheduler.finished(key: "a") == nil)
        #expect(!scheduler.isBusy("a"))
        #expect(scheduler.runningCount == 0)
        #expect(scheduler.admit("a2", key: "a") == "a2")
    }

    @Test("finishing an idle key changes nothing")
    func idleKeyFinished() {
        var scheduler = Scheduler()
        #expect(scheduler.finished(key: "a") == nil)
        #expect(!scheduler.isBusy("a"))
        #expect(scheduler.runningCount == 0)
    }

    @Test("drainWaiting returns only waiting items, across keys, in arrival order")
    func drain() {
        var scheduler = Scheduler()
        _ = scheduler.admit("a1", key: "a")
        _ = scheduler.admit("b1", key: "b")
        _ = scheduler.admit("a2", key: "a")
        _ = scheduler.admit("b2", key: "b")
        _ = scheduler.admit("x", key: nil)
        _ = scheduler.admit("a3", key: "a")
        #expect(scheduler.drainWaiting() == ["a2", "b2", "a3"])
        #expect(scheduler.waitingCount == 0)
        #expect(scheduler.runningCount == 3)
    }

    @Test("drainWaiting keeps arrival order after part of a key's queue has started")
    func drainAfterPartialStart() {
        var scheduler = Scheduler()
        for item in ["a1", "a2", "a3", "a4"] { _ = scheduler.admit(item, key: "a") }
        _ = scheduler.finished(key: "a")
        _ = scheduler.admit("a5", key: "a")
        #expect(scheduler.drainWaiting() == ["a3", "a4", "a5"])
    }

    @Test("after draining, a running key starts nothing more and is forgotten when it finishes")
    func finishAfterDrain() {
        var scheduler = Scheduler()
        _ = scheduler.admit("a1", key: "a")
        _ = scheduler.admit("a2", key: "a")
        _ = scheduler.drainWaiting()
        #expect(scheduler.isBusy("a"))
        #expect(scheduler.finished(key: "a") == nil)
        #expect(!scheduler.isBusy("a"))
    }

    @Test("draining with nothing waiting returns nothing")
    func drainEmpty() {
        var scheduler = Scheduler()
        _ = scheduler.admit("a1", key: "a")
        #expect(scheduler.drainWaiting() == [])
        #expect(scheduler.runningCount == 1)
    }
}
