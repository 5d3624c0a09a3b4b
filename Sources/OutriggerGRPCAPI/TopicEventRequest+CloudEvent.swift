import CloudEvents
import DaprProto
import Foundation
import SwiftProtobuf

extension Dapr_Proto_Runtime_V1_TopicEventRequest {
    /// The event as Dapr hands it to a gRPC app or a streaming subscriber: the CloudEvent's core
    /// attributes as fields, `data` as the payload's bytes (JSON text as it is, text as UTF-8,
    /// `data_base64` decoded), every other attribute in `extensions`.
    init(event: CloudEvent, topic: String, pubsubName: String, path: String) {
        self.init()
        id = event.id
        source = event.source
        type = event.type
        specVersion = event.specVersion
        dataContentType = event.dataContentType ?? ""
        data = Data(event.data.bytes)
        self.topic = topic
        self.pubsubName = pubsubName
        self.path = path
        extensions = event.extensionStruct
    }
}

extension Dapr_Proto_Runtime_V1_TopicEventCERequest {
    /// One CloudEvent of a bulk delivery, with the same field rules as a single event.
    init(event: CloudEvent) {
        self.init()
        id = event.id
        source = event.source
        type = event.type
        specVersion = event.specVersion
        dataContentType = event.dataContentType ?? ""
        data = Data(event.data.bytes)
        extensions = event.extensionStruct
    }
}

extension CloudEvent {
    /// Every attribute except id, source, type, specversion, datacontenttype and the data, as
    /// Dapr puts them in `TopicEventRequest.extensions` (topic, pubsubname, trace context, time,
    /// subject and the publisher's own extensions).
    var extensionStruct: Google_Protobuf_Struct {
        var fields: [String: Google_Protobuf_Value] = [:]
        if let dataSchema { fields["dataschema"] = Google_Protobuf_Value(stringValue: dataSchema) }
        if let subject { fields["subject"] = Google_Protobuf_Value(stringValue: subject) }
        if let time { fields["time"] = Google_Protobuf_Value(stringValue: time) }
        for (key, value) in extensions where !CloudEvent.isReservedAttribute(key) {
            fields[key] = Google_Protobuf_Value(json: value)
        }
        return Google_Protobuf_Struct(fields: fields)
    }
}

extension Google_Protobuf_Value {
    /// A JSON value as a protobuf `Value`; numbers become doubles, as `google.protobuf.Struct` holds them.
    init(json: JSONValue) {
        switch json {
        case .null: self.init(nilLiteral: ())
        case .bool(let flag): self.init(boolValue: flag)
        case .number(let text): self.init(numberValue: Double(text) ?? 0)
        case .string(let text): self.init(stringValue: text)
        case .array(let items): self.init(listValue: Google_Protobuf_ListValue(values: items.map(Google_Protobuf_Value.init(json:))))
        case .object(let object):
            var fields: [String: Google_Protobuf_Value] = [:]
            for (key, value) in object { fields[key] = Google_Protobuf_Value(json: value) }
            self.init(structValue: Google_Protobuf_Struct(fields: fields))
        }
    }
}
