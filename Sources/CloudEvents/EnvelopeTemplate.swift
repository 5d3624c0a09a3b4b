/// The structured bytes of many envelopes that share everything but their id, data content
/// type and JSON data, as a bulk publish makes them: the attributes are written once, each
/// envelope is then three copies and a fresh id.
///
/// The bytes are exactly those of ``Envelope/wrap(data:dataContentType:id:source:type:subject:topic:pubsubName:traceParent:traceState:now:)``
/// followed by ``CloudEvent/structuredBytes()`` for a JSON content type (``ContentType/isJSON(_:)``)
/// and data that is one valid JSON value with no whitespace around it, with a new id and no
/// subject; any other publish goes through those two.
public struct EnvelopeTemplate: Sendable {
    /// `{"specversion":"1.0","id":"`
    private let head: [UInt8]
    /// `","source":…,"type":…,"datacontenttype":`
    private let afterID: [UInt8]
    /// `,"time":…,"topic":…,…,"tracestate":…,"data":`
    private let afterContentType: [UInt8]
    /// The last content type written, and everything between the id and the data with it:
    /// `afterID`, its JSON string literal, `afterContentType` (one copy per envelope instead of
    /// three).
    private var contentType: String?
    private var afterIDToData: [UInt8] = []

    /// The attributes every envelope shares; `source` and `time` as ``Envelope/wrap(data:dataContentType:id:source:type:subject:topic:pubsubName:traceParent:traceState:now:)`` takes them.
    public init(source: String, topic: String, pubsubName: String, traceParent: String, traceState: String, now: String = CloudEventTime.now()) {
        // The attributes come from a real envelope, so member order and defaults are wrap's own.
        var event = Envelope.wrap(
            data: [], dataContentType: ContentType.json, id: "", source: source, type: nil, subject: nil,
            topic: topic, pubsubName: pubsubName, traceParent: traceParent, traceState: traceState, now: now)
        event.id = ""
        event.dataContentType = nil
        event.data = .none
        var bytes = event.structuredBytes()
        // `{"specversion":"1.0","id":"","source":…,"type":…,"time":…,…}` with the id empty and
        // no datacontenttype: split between the id's quotes and before `,"time":` (a quote
        // inside a string value is escaped, so neither can match inside one).
        let emptyID = Array(##","id":"""##.utf8)
        let idEnd = Self.find(emptyID, in: bytes) + emptyID.count - 1
        let timeStart = Self.find(Array(#","time":"#.utf8), in: bytes)
        bytes.removeLast()  // `}`
        head = Array(bytes[..<idEnd])
        afterID = Array(bytes[idEnd..<timeStart]) + Array(#","datacontenttype":"#.utf8)
        afterContentType = Array(bytes[timeStart...]) + Array(#","data":"#.utf8)
    }

    /// The envelope of `json` (one valid JSON value, no whitespace around it) published as
    /// `dataContentType` (a JSON type), with a new id.
    public mutating func envelope(dataContentType: String, json: ArraySlice<UInt8>) -> [UInt8] {
        if dataContentType != contentType {
            contentType = dataContentType
            afterIDToData = afterID
            JSONText.appendString(dataContentType, to: &afterIDToData)
            afterIDToData.append(contentsOf: afterContentType)
        }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(head.count + 36 + afterIDToData.count + json.count + 1)
        bytes.append(contentsOf: head)
        Envelope.appendNewID(to: &bytes)
        bytes.append(contentsOf: afterIDToData)
        bytes.append(contentsOf: json)
        bytes.append(UInt8(ascii: "}"))
        return bytes
    }

    private static func find(_ needle: [UInt8], in bytes: [UInt8]) -> Int {
        var start = 0
        while start + needle.count <= bytes.count {
            if bytes[start..<start + needle.count].elementsEqual(needle) { return start }
            start += 1
        }
        preconditionFailure("the envelope has no \(String(decoding: needle, as: UTF8.self))")
    }
}
