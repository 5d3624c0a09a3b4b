@testable import MQTTComponents
import Testing

@Suite("TopicFilter: which subscriptions a publish reaches")
struct TopicFilterTests {
    @Test("a plain filter matches only its own topic", arguments: [("orders", true), ("orders/eu", false), ("order", false), ("", false)])
    func plain(topic: String, matches: Bool) {
        #expect(TopicFilter("orders").matches(topic) == matches)
    }

    @Test("+ matches exactly one level", arguments: [("orders/eu/new", true), ("orders//new", true), ("orders/new", false), ("orders/eu/x/new", false)])
    func singleLevel(topic: String, matches: Bool) {
        #expect(TopicFilter("orders/+/new").matches(topic) == matches)
    }

    @Test("a final # matches the rest and its parent level", arguments: [("orders", true), ("orders/eu", true), ("orders/eu/new", true), ("ordersx", false)])
    func multiLevel(topic: String, matches: Bool) {
        #expect(TopicFilter("orders/#").matches(topic) == matches)
    }

    @Test("a filter starting with a wildcard matches no topic starting with $")
    func dollarTopics() {
        #expect(!TopicFilter("#").matches("$SYS/broker/uptime"))
        #expect(!TopicFilter("+/broker/uptime").matches("$SYS/broker/uptime"))
        #expect(TopicFilter("$SYS/#").matches("$SYS/broker/uptime"))
        #expect(TopicFilter("#").matches("orders"))
    }

    @Test("a shared subscription matches as the filter after its group")
    func shared() {
        #expect(TopicFilter("$share/group/orders").matches("orders"))
        #expect(TopicFilter("$share/group/orders/+").matches("orders/eu"))
        #expect(!TopicFilter("$share/group/orders").matches("group/orders"))
    }
}
