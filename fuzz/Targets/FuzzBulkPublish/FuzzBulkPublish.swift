import CloudEvents
import OutriggerCore
import OutriggerDelivery

/// libFuzzer entry point: the bytes are the body of `POST /v1.0-alpha1/publish/bulk/{pubsub}/{topic}`.
///
/// Parsing must end in entries or a thrown `BulkPublishBodyError` (a 400 for the app); a trap is the bug this
/// target looks for. Each entry is then turned into the message the broker would receive, as the
/// publish path does.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzBulkPublish(_ start: UnsafePointer<UInt8>?, _ count: Int) -> CInt {
    let bytes = start.map { Array(UnsafeBufferPointer(start: $0, count: count)) } ?? []
    let entries: [Publisher.BulkEntry]
    do {
        entries = try BulkPublishBody.parse(
            bytes, pubsubName: "pubsub", topic: "orders", metadata: [:], traceParent: "", traceState: "")
    } catch {
        return 0
    }
    for entry in entries { _ = try? publisher.message(for: entry.request) }
    return 0
}

private let publisher = Publisher(appID: "fuzz", components: LoadedComponents())
