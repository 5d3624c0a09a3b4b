// outrigger-microbench: the in-process cost of the bulk publish path, no sockets, one task.
//
//   outrigger-microbench bulk [ENTRY_BYTES] [SECONDS]
//
// Builds a bulk-publish body of 100 entries, each entry's JSON (`entryId`, a JSON order as
// `event`, `contentType`) exactly ENTRY_BYTES long (default 256), like bench/make_bodies.py.
// Then, for SECONDS of CPU time each (default 3): the body parse alone, and parse + envelopes + one publish
// to `pubsub.in-memory` with nobody subscribed (a discard after the envelopes are built), as
// `POST /v1.0-alpha1/publish/bulk/{pubsub}/{topic}` does after the body is read. Prints CPU
// nanoseconds per message (process CPU time, so a busy machine skews it less than wall time).
import BuiltinComponents
#if canImport(Glibc)
import Glibc
#endif
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

/// CPU time this process has used, in nanoseconds: what a message costs even when other work
/// shares the cores (wall time on a busy machine says more about the neighbours).
func cpuNanoseconds() -> Double {
    var spec = timespec()
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &spec)
    return Double(spec.tv_sec) * 1e9 + Double(spec.tv_nsec)
}

/// Runs `operation` (one request's worth) for `seconds` of CPU time; prints CPU ns per message.
func measure(_ name: String, seconds: Double, _ operation: () async throws -> Void) async throws {
    for _ in 0..<200 { try await operation() }  // warm up
    let start = cpuNanoseconds()
    var requests = 0
    while cpuNanoseconds() - start < seconds * 1e9 {
        for _ in 0..<50 { try await operation() }
        requests += 50
    }
    let perMessage = (cpuNanoseconds() - start) / Double(requests * entriesPerRequest)
    print("\(name): \(Int(perMessage.rounded())) ns of CPU per message = \(Int((1e9 / perMessage).rounded())) messages/s per core")
}

/// The measurements, on the global executor as a request handler runs (the top level of this
/// file is the main actor's, and a hop to it and back per request would be measured too).
@concurrent
func run(entryBytes: Int, seconds: Double) async throws {
    let body = bulkBody(count: entriesPerRequest, entryBytes: entryBytes)
    let broker = try InMemoryPubSub(metadata: ComponentMetadata(name: "pubsub", type: "pubsub.in-memory"))
    let spec = ComponentSpec(name: "pubsub", type: "pubsub.in-memory", origin: ResourceOrigin(file: "microbench", document: 1))
    let publisher = Publisher(appID: "bench", components: LoadedComponents([.init(spec: spec, component: broker)]))
    print("bulk body: \(entriesPerRequest) entries of \(entryBytes) B, \(body.count) B in all")
    try await measure("parse", seconds: seconds) {
        _ = try BulkPublishBody.parse(body, metadata: [:])
    }
    try await measure("parse + envelopes + publish", seconds: seconds) {
        let entries = try BulkPublishBody.parse(body, metadata: [:])
        let failures = try await publisher.bulkPublish(pubsubName: "pubsub", topic: "orders", entries: entries)
        precondition(failures.isEmpty, "\(failures)")
    }
}

try await run(entryBytes: entryBytes, seconds: seconds)
