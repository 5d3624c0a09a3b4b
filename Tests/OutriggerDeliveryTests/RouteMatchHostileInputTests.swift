import CloudEvents
import OutriggerDelivery
import OutriggerTesting
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
}
