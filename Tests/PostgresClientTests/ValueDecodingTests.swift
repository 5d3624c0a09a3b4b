@testable import PostgresClient
import Testing

@Suite("Typed values from PostgreSQL's text output")
struct ValueDecodingTests {
    @Test("integers, floats, numeric and bool are typed by their column's OID")
    func scalars() {
        #expect(PostgresValue.decode(text: "-32768", typeOID: 21) == .integer(-32768))
        #expect(PostgresValue.decode(text: "9223372036854775807", typeOID: 20) == .integer(.max))
        #expect(PostgresValue.decode(text: "1.5", typeOID: 701) == .double(1.5))
        #expect(PostgresValue.decode(text: "NaN", typeOID: 700).isNaNDouble)
        #expect(PostgresValue.decode(text: "12.340", typeOID: 1700) == .numeric("12.340"))
        #expect(PostgresValue.decode(text: "t", typeOID: 16) == .bool(true))
        #expect(PostgresValue.decode(text: "f", typeOID: 16) == .bool(false))
        #expect(PostgresValue.decode(text: "a b", typeOID: 25) == .string("a b"))
        #expect(PostgresValue.decode(text: "{\"a\": 1}", typeOID: 3802) == .json("{\"a\": 1}"))
    }

    @Test("timestamps, timestamps with zone and dates become UTC instants")
    func timestamps() {
        func iso(_ text: String, _ oid: UInt32) -> String? {
            if case .timestamp(let instant) = PostgresValue.decode(text: text, typeOID: oid) { return instant.iso8601 }
            return nil
        }
        #expect(iso("2024-03-01 12:30:05", 1114) == "2024-03-01T12:30:05Z")
        #expect(iso("2024-03-01 12:30:05.25", 1114) == "2024-03-01T12:30:05.25Z")
        #expect(iso("2024-03-01 00:15:00.000001+02", 1184) == "2024-02-29T22:15:00.000001Z")
        #expect(iso("2024-03-01 05:00:00-05:30", 1184) == "2024-03-01T10:30:00Z")
        #expect(iso("1969-12-31", 1082) == "1969-12-31T00:00:00Z")
        #expect(PostgresValue.decode(text: "infinity", typeOID: 1184) == .string("infinity"))
        #expect(PostgresValue.decode(text: "0044-03-15 BC", typeOID: 1082) == .string("0044-03-15 BC"))
        #expect(PostgresValue.decode(text: "2024-03-01", typeOID: 1082, isoDateStyle: false) == .string("2024-03-01"))
    }

    @Test("bytea in hex and escape output")
    func bytea() {
        #expect(PostgresValue.decode(text: "\\x00ff10", typeOID: 17) == .bytes([0, 255, 16]))
        #expect(PostgresValue.decode(text: "a\\\\\\001", typeOID: 17) == .bytes([97, 92, 1]))
    }

    @Test("arrays are read element by element, nested, with quotes and NULL")
    func arrays() {
        #expect(PostgresValue.decode(text: "{1,2,NULL}", typeOID: 1007) == .array([.integer(1), .integer(2), .null]))
        #expect(PostgresValue.decode(text: #"{"a b","c\"d",NULL,"NULL"}"#, typeOID: 1009)
            == .array([.string("a b"), .string("c\"d"), .null, .string("NULL")]))
        #expect(PostgresValue.decode(text: "{{1,2},{3,4}}", typeOID: 1016) == .array([.array([.integer(1), .integer(2)]), .array([.integer(3), .integer(4)])]))
        #expect(PostgresValue.decode(text: "[0:1]={t,f}", typeOID: 1000) == .array([.bool(true), .bool(false)]))
        #expect(PostgresValue.decode(text: "{}", typeOID: 1009) == .array([]))
    }

    @Test("array literals quote every element and escape quotes and backslashes")
    func arrayLiteral() {
        let literal = PostgresArrayText.literal([.text("a\"b"), .null, .text("c\\d"), .list([.text("1")], text: "[1]")])
        #expect(literal == #"{"a\"b",NULL,"c\\d",{"1"}}"#)
    }

    @Test("RFC 3339 text of instants around the epoch and far away")
    func iso8601() {
        #expect(UTCDateTime(secondsSinceEpoch: 0).iso8601 == "1970-01-01T00:00:00Z")
        #expect(UTCDateTime(secondsSinceEpoch: -1, nanoseconds: 500_000_000).iso8601 == "1969-12-31T23:59:59.5Z")
        #expect(UTCDateTime(year: 2000, month: 2, day: 29, hour: 23, minute: 59, second: 59).iso8601 == "2000-02-29T23:59:59Z")
        #expect(UTCDateTime(year: 12345, month: 1, day: 1).iso8601 == "12345-01-01T00:00:00Z")
    }
}

extension PostgresValue {
    var isNaNDouble: Bool {
        if case .double(let value) = self { return value.isNaN }
        return false
    }
}
