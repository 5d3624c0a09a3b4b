// outrigger-microbench: the in-process cost of the bulk publish path, no sockets, one task.
//
//   outrigger-microbench bulk [ENTRY_BYTES] [SECONDS]
//
// Builds a bulk-publish body of 100 entries, each entry's JSON (`entryId`, a JSON order as
// `event`, `contentType`) exactly ENTRY_BYTES long (default 256), like bench/make_bodies.py.
// Then, for SECONDS each (default 3): the body parse alone, and parse + envelopes + one publish
// to `pubsub.in-memory` with nobody subscribed (a discard after the envelopes are built), as
// `POST /v1.0-alpha1/publish/bulk/{pubsub}/{topic}` does after the body is read. Prints
// nanoseconds per message and messages per second on one core.
import BuiltinComponents
import OutriggerCore
import OutriggerDelivery

let arguments = CommandLine.arguments
guard arguments.count >= 2, arguments[1] == "bulk",
      let entryBytes = arguments.count > 2 ? Int(arguments[2]) : 256, entryBytes >= 100,
      let seconds = arguments.count > 3 ? Double(arguments[3]) : 3
else {
    print("usage: outrigger-microbench bulk [ENTRY_BYTES >= 100] [SECONDS]")
    exit(2)
}

/// A bulk body of `count` entries, each entry's JSON exactly `entryBytes` long.
func bulkBody(count: Int, entryBytes: Int) -> [UInt8] {
    var body = "["
    for index in 0..<count {
        let head = #"{"entryId": "\#(index)", "event": {"orderId": \#(index), "customer": "bench", "items": [], "note": ""#
        let tail = #""}, "contentType": "application/json"}"#
        let note = String(repeating: "x", count: max(0, entryBytes - head.utf8.count - tail.utf8.count))
        if index > 0 { body += ", " }
        body += head + note + tail
    }
    return Array((body + "]").utf8)
}

let entriesPerRequest = 100
let body = bulkBody(count: entriesPerRequest, entryBytes: entryBytes)
let broker = try InMemoryPubSub(metadata: ComponentMetadata(name: "pubsub", type: "pubsub.in-memory"))
let spec = ComponentSpec(name: "pubsub", type: "pubsub.in-memory", origin: ResourceOrigin(file: "microbench", document: 1))
let publisher = Publisher(appID: "bench", components: LoadedComponents([.init(spec: spec, component: broker)]))

/// Runs `operation` (one request's worth) for `seconds`; prints and returns ns per message.
func measure(_ name: String, _ operation: () async throws -> Void) async throws {
    for _ in 0..<200 { try await operation() }  // warm up
    let clock = ContinuousClock()
    let start = clock.now
    var requests = 0
    while clock.now - start < .seconds(seconds) {
        for _ in 0..<50 { try await operation() }
        requests += 50
    }
    let elapsed = clock.now - start
    let nanoseconds = Double(elapsed.components.seconds) * 1e9 + Double(elapsed.components.attoseconds) / 1e9
    let perMessage = nanoseconds / Double(requests * entriesPerRequest)
    print("\(name): \(Int(perMessage.rounded())) ns/message, \(Int((1e9 / perMessage).rounded())) messages/s on one core")
}

print("bulk body: \(entriesPerRequest) entries of \(entryBytes) B, \(body.count) B in all")
try await measure("parse") {
    _ = try BulkPublishBody.parse(body, pubsubName: "pubsub", topic: "orders", metadata: [:], traceParent: "", traceState: "")
}
try await measure("parse + envelopes + publish") {
    let entries = try BulkPublishBody.parse(body, pubsubName: "pubsub", topic: "orders", metadata: [:], traceParent: "", traceState: "")
    let failures = try await publisher.bulkPublish(pubsubName: "pubsub", topic: "orders", entries: entries)
    precondition(failures.isEmpty, "\(failures)")
}
