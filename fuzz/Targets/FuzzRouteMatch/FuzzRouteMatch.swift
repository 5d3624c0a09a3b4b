import CloudEvents
import OutriggerDelivery

/// libFuzzer entry point: the bytes are a subscription's `routes.rules[].match` expression,
/// optionally followed by a NUL byte and a JSON event to evaluate it against.
///
/// Parsing must end in an expression or a `RouteMatchSyntaxError`, and evaluating must end in a
/// result; a trap or a hang is the bug this target looks for.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzRouteMatch(_ start: UnsafePointer<UInt8>?, _ count: Int) -> CInt {
    let bytes = start.map { Array(UnsafeBufferPointer(start: $0, count: count)) } ?? []
    let split = bytes.firstIndex(of: 0) ?? bytes.endIndex
    let source = String(decoding: bytes[..<split], as: UTF8.self)
    guard let expression = try? RouteMatchExpression(source) else { return 0 }
    var event = sampleEvent
    if split < bytes.endIndex, case .object(let object)? = try? JSONValue(parsing: bytes[(split + 1)...]) {
        event = object
    }
    _ = expression.evaluate(event)
    _ = expression.evaluate(JSONObject())
    return 0
}

/// A delivered event as the pipeline hands it to the rules.
private let sampleEvent: JSONObject = [
    "id": "5929aaac-a5e2-4ca1-859c-edfe73f11565", "source": "orders", "type": "com.dapr.event.sent",
    "specversion": "1.0", "datacontenttype": "application/json", "topic": "orders", "pubsubname": "pubsub",
    "time": "2026-01-01T00:00:00Z",
    "data": ["orderId": 42, "priority": "high", "price": 120.5, "tags": ["a", "b"], "customer": ["tier": 3]],
]
