import CloudEvents
import Foundation
import OutriggerDelivery
import OutriggerTesting
import Synchronization
import Testing

/// Seeded variations of the routing rules `make fuzz` starts from (fuzz/corpus/FuzzRouteMatch):
/// a rule either parses or is refused with a syntax error, and a rule that parses evaluates.
@Suite("Routing rules on hostile input")
struct RouteMatchHostileInputTests {
    private static let event: JSONObject = [
        "type": "com.dapr.event.sent", "source": "orders", "id": "1", "topic": "orders",
        "data": ["orderId": 42, "priority": "high", "price": 120.5, "tags": ["a", "b"], "pattern": "^ord"],
    ]

    @Test("every variation of a real rule parses or throws a RouteMatchSyntaxError that names a column")
    func parsesOrRejects() {
        var mutator = InputMutator(seed: 0x0E0A_7C11, seeds: InputMutator.corpus("FuzzRouteMatch"))
        for _ in 0..<400 {
            let input = mutator.next()
            let text = String(decoding: input.prefix { $0 != 0 }, as: UTF8.self)
            do {
                let expression = try RouteMatchExpression(text)
                _ = expression.evaluate(Self.event)
                _ = expression.evaluate(JSONObject())
            } catch {
                #expect(error.position >= 1, "\(error)")
            }
        }
    }

    /// A backtracking engine takes 2^n steps on these: with Swift's `Regex` (before the linear
    /// engine) `^(a|aa)+$` on 32 characters took 22 s in the ASan build, and these texts are
    /// 20,000 characters. Each must answer at all: the evaluation runs on a thread of its own
    /// and the test fails when it has not answered after a generous minute (a synchronous
    /// loop cannot be cancelled, so a time-limit trait alone would hang the run).
    @Test(
        "a catastrophic-backtracking rule on a hostile event answers, whether the pattern is the rule's or the event's",
        arguments: [
            ("event.data.name.matches(\"(a+)+$\")", false), ("event.data.name.matches(\"^(a|aa)+$\")", false),
            ("event.data.name.matches(\"(a*)*!$\")", true), ("event.data.name.matches(event.data.pattern)", false),
        ])
    func catastrophicPatterns(rule: String, expected: Bool) throws {
        let event: JSONObject = [
            "type": "t", "source": "s", "id": "1",
            "data": ["name": .string(String(repeating: "a", count: 20_000) + "!"), "pattern": "^(a|a)*(b|b)*$"],
        ]
        let expression = try RouteMatchExpression(rule)
        let answer = Mutex<Result<Bool, RouteMatchEvaluationError>?>(nil)
        let done = DispatchSemaphore(value: 0)
        Thread.detachNewThread {
            let result = expression.evaluate(event)
            answer.withLock { $0 = result }
            done.signal()
        }
        guard done.wait(timeout: .now() + 60) == .success else {
            Issue.record("\(rule) has not answered after 60 s: the matcher backtracks")
            return
        }
        #expect(answer.withLock { $0 } == .success(expected))
    }

    @Test("a pattern taken from the event that would compile to a huge program is an evaluation error, not a hang or a crash")
    func hugePatternFromTheEvent() throws {
        let event: JSONObject = ["type": "t", "source": "s", "id": "1", "data": ["pattern": "((a{1000}){1000}){1000}"]]
        guard case .failure(let error) = try RouteMatchExpression("event.type.matches(event.data.pattern)").evaluate(event) else {
            Issue.record("a pattern of a billion instructions evaluated")
            return
        }
        #expect(error.message.contains("too large"), "\(error)")
    }
}
