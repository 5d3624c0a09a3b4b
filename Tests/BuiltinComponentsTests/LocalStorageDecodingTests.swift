@testable import BuiltinComponents
import Testing

private func bytes(_ text: String) -> [UInt8] { Array(text.utf8) }

@Suite("bindings.localstorage: data decoding and answers")
struct LocalStorageDecodingTests {
    @Test("standard base64 decodes, ignoring line breaks, with padding required")
    func base64() {
        #expect(Base64Text.decode(bytes("SGVsbG8=")) == bytes("Hello"))
        #expect(Base64Text.decode(bytes("SGVs\r\nbG8=")) == bytes("Hello"))
        #expect(Base64Text.decode(bytes("YQ==")) == bytes("a"))
        #expect(Base64Text.decode(bytes("YR==")) == bytes("a"))
        #expect(Base64Text.decode(bytes("+/+/")) == [0xFB, 0xFF, 0xBF])
        #expect(Base64Text.decode([]) == [])
    }

    @Test("text that is not padded standard base64 is not decoded")
    func notBase64() {
        for text in ["SGVsbG8", "Hello World", "ab=c", "a===", "YQ==YQ==", "-_-_", "SGVsbG8=\u{0}"] {
            #expect(Base64Text.decode(bytes(text)) == nil, "\(text)")
        }
    }

    @Test("create unquotes first, then decodes base64, and keeps other data as it is")
    func storedBytes() {
        #expect(LocalStorageBinding.storedBytes(bytes(#""SGVsbG8=""#)) == bytes("Hello"))
        #expect(LocalStorageBinding.storedBytes(bytes("SGVsbG8=")) == bytes("Hello"))
        #expect(LocalStorageBinding.storedBytes(bytes("Hello World")) == bytes("Hello World"))
        #expect(LocalStorageBinding.storedBytes([0xFF, 0x00, 0x01]) == [0xFF, 0x00, 0x01])
        // Dapr's pitfall, kept: text that happens to be valid base64 is decoded.
        #expect(LocalStorageBinding.storedBytes(bytes("data")) == [0x75, 0xAB, 0x5A])
    }
}
