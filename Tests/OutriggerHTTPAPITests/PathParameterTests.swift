import Testing

@testable import OutriggerHTTPAPI

/// Names in request paths are percent-decoded; what cannot be a name is a 400.
@Suite struct PathParameterTests {
    @Test("percent escapes decode to UTF-8, and a topic may hold a slash")
    func decodes() throws {
        #expect(try PathParameter.decode("orders%2Feu%20caf%C3%A9", name: "topic", allowingSlash: true) == "orders/eu café")
        #expect(try PathParameter.decode("pubsub", name: "pub/sub name") == "pubsub")
    }

    @Test("malformed escapes, invalid UTF-8, NUL and path separators in component names are 400 ERR_MALFORMED_REQUEST", arguments: [
        "%", "%F", "%zz", "%FF", "%C3", "%ED%A0%80", "a%00b", "..%2f..%2fetc", "%2e%2e%2f", "a%5cb", "a/b",
    ])
    func refuses(raw: String) {
        #expect {
            _ = try PathParameter.decode(raw, name: "binding name")
        } throws: { error in
            guard let error = error as? APIError else { return false }
            return error.status == 400 && error.code == "ERR_MALFORMED_REQUEST" && error.message.contains(raw)
        }
    }
}
