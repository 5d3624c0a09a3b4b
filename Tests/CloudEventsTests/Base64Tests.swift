import Testing
import CloudEvents

@Suite struct Base64Tests {
    @Test(arguments: [
        ("", ""), ("a", "YQ=="), ("ab", "YWI="), ("abc", "YWJj"), ("hello, world", "aGVsbG8sIHdvcmxk"),
    ])
    func encodesAndDecodesKnownVectors(_ vector: (plain: String, encoded: String)) {
        #expect(Base64.encode(Array(vector.plain.utf8)) == vector.encoded)
        #expect(Base64.decode(vector.encoded) == Array(vector.plain.utf8))
    }

    @Test func roundTripsEveryByteValue() {
        let bytes = (0...255).map { UInt8($0) }
        let encoded = Base64.encode(bytes)
        #expect(encoded.hasPrefix("AAECAwQFBgcICQoLDA0O"))
        #expect(encoded.utf8.count == Base64.encodedCount(bytes.count))
        #expect(Base64.decode(encoded) == bytes)
    }

    @Test func toleratesMissingPaddingAndLineBreaks() {
        #expect(Base64.decode("YQ") == Array("a".utf8))
        #expect(Base64.decode("aGVs\r\nbG8=") == Array("hel".utf8) + Array("lo".utf8))
    }

    @Test(arguments: ["Y", "YQ=", "YQ===", "Y=Q=", "a$bc", "YWJj=", "-_-_"])
    func rejectsInvalidText(_ text: String) {
        #expect(Base64.decode(text) == nil)
    }
}
