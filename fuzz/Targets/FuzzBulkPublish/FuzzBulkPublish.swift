import CloudEvents
import OutriggerCore
import OutriggerDelivery

/// libFuzzer entry point: the bytes are the body of `POST /v1.0-alpha1/publish/bulk/{pubsub}/{topic}`.
///
/// Parsing must end in entries or a thrown `BulkPublishBodyError` (a 400 for the app); a trap is the bug this
/// target looks for. The entries are then turned into the messages the broker would receive, as
/// the bulk publish path does, and each must be what a single publish of the entry makes.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzBulkPublish(_ start: UnsafePointer<UInt8>?, _ count: Int) -> CInt {
    let bytes = start.map { Array(UnsafeBufferPointer(start: $0, count: count)) } ?? []
    let entries: [Publisher.BulkEntry]
    do {
        entries = try BulkPublishBody.parse(bytes, metadata: [:])
    } catch {
        return 0
    }
    let batch = publisher.messages(for: entries, pubsubName: "pubsub", topic: "orders", traceParent: "", traceState: "")
    // Each message must be the one a single publish of its entry makes, once id and time agree.
    var next = 0
    for entry in entries {
        let request = Publisher.Request(
            pubsubName: "pubsub", topic: "orders", data: Array(entry.data), contentType: entry.contentType, metadata: entry.metadata)
        guard let single = try? publisher.message(for: request) else { continue }
        let made = batch.messages[next].data
        next += 1
        guard single.contentType == ContentType.cloudEventJSON, let expected = try? CloudEvent(structured: single.data) else {
            precondition(made == single.data, "entry \(entry.entryID): the bulk message differs from a single publish's")
            continue
        }
        let actual = try! CloudEvent(structured: made)
        // Byte for byte once the fresh attributes agree (data is written as the app sent it).
        var aligned = single.data
        for (key, singleValue, madeValue) in [("id", expected.id, actual.id), ("time", expected.time, actual.time), ("expiration", expected.expiration, actual.expiration)] {
            guard let singleValue, let madeValue, singleValue != madeValue else { continue }
            aligned = replacing(Array("\"\(key)\":\"\(singleValue)\"".utf8), with: Array("\"\(key)\":\"\(madeValue)\"".utf8), in: aligned)
        }
        precondition(aligned == made, "entry \(entry.entryID): the bulk envelope differs from a single publish's")
    }
    return 0
}

private let publisher = Publisher(appID: "fuzz", components: LoadedComponents())

/// `bytes` with the first occurrence of `target` replaced by `replacement`.
private func replacing(_ target: [UInt8], with replacement: [UInt8], in bytes: [UInt8]) -> [UInt8] {
    guard target.count <= bytes.count else { return bytes }
    for start in 0...(bytes.count - target.count) where bytes[start..<start + target.count].elementsEqual(target) {
        return Array(bytes[..<start]) + replacement + Array(bytes[(start + target.count)...])
    }
    return bytes
}
