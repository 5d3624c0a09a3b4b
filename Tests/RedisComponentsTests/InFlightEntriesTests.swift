@testable import RedisComponents
import Testing

@Suite("InFlightEntries keeps a reclaim from delivering an entry twice")
struct InFlightEntriesTests {
    let key = InFlightEntries.Key(stream: "s", group: "g")

    @Test("a reclaim admits only entries not in flight, and holds them")
    func excludesHeld() {
        let entries = InFlightEntries()
        entries.hold(["1-0", "2-0"], in: key)
        entries.beginReclaim(key)
        #expect(entries.admitReclaimed(["1-0", "3-0"], in: key) == ["3-0"])
        entries.endReclaim(key)
        #expect(entries.count(in: key) == 3)
    }

    @Test("an entry acknowledged while a reclaim was on its way is not admitted by that reclaim")
    func acknowledgedDuringReclaim() {
        let entries = InFlightEntries()
        entries.hold(["1-0"], in: key)
        entries.beginReclaim(key)
        // The XACK's reply came back before the XAUTOCLAIM's, which claimed it first.
        entries.release(["1-0"], acknowledged: true, in: key)
        #expect(entries.admitReclaimed(["1-0"], in: key).isEmpty)
        entries.endReclaim(key)
        entries.beginReclaim(key)
        #expect(entries.admitReclaimed(["1-0"], in: key) == ["1-0"], "later reclaims are not affected")
        entries.endReclaim(key)
    }

    @Test("an entry handed back or failed while a reclaim was on its way is admitted: it is pending and due")
    func nackedDuringReclaim() {
        let entries = InFlightEntries()
        entries.hold(["1-0"], in: key)
        entries.beginReclaim(key)
        entries.release(["1-0"], acknowledged: false, in: key)
        #expect(entries.admitReclaimed(["1-0"], in: key) == ["1-0"])
        entries.endReclaim(key)
    }

    @Test("streams and groups are kept apart, and an idle group is forgotten")
    func keysApart() {
        let entries = InFlightEntries()
        let other = InFlightEntries.Key(stream: "s", group: "h")
        entries.hold(["1-0"], in: key)
        #expect(entries.admitReclaimed(["1-0"], in: other) == ["1-0"])
        entries.release(["1-0"], acknowledged: true, in: key)
        entries.release(["1-0"], acknowledged: false, in: other)
        #expect(entries.count(in: key) == 0 && entries.count(in: other) == 0)
    }
}
