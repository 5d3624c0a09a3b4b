import Testing
@testable import JetStreamComponents

@Suite("SubjectPattern")
struct SubjectPatternTests {
    @Test("a literal subject captures only itself")
    func literal() {
        #expect(SubjectPattern.matches("orders", "orders"))
        #expect(!SubjectPattern.matches("orders", "orders.new"))
        #expect(!SubjectPattern.matches("orders.new", "orders"))
    }

    @Test("* captures exactly one token")
    func star() {
        #expect(SubjectPattern.matches("orders.*", "orders.new"))
        #expect(!SubjectPattern.matches("orders.*", "orders.new.eu"))
        #expect(!SubjectPattern.matches("orders.*", "orders"))
    }

    @Test("> captures one or more trailing tokens")
    func tail() {
        #expect(SubjectPattern.matches("orders.>", "orders.new.eu"))
        #expect(!SubjectPattern.matches("orders.>", "orders"))
        #expect(SubjectPattern.matches(">", "anything"))
    }
}
