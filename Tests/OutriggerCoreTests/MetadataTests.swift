import OutriggerCore
import Testing

@Suite("Component metadata and durations")
struct MetadataTests {
    let metadata = ComponentMetadata(
        name: "c", type: "pubsub.x",
        properties: ["RedisHost": "h:1", "enableTLS": "TRUE", "count": "12", "wait": "1m30s", "bare": "3", "empty": ""])

    @Test("keys are case-insensitive and typed accessors read values or defaults")
    func typedAccess() throws {
        #expect(metadata["redishost"] == "h:1")
        #expect(try metadata.required("REDISHOST") == "h:1")
        #expect(try metadata.bool("enabletls", default: false))
        #expect(try metadata.bool("absent", default: true))
        #expect(try metadata.int("count", default: 0, in: 1...20) == 12)
        #expect(try metadata.duration("wait", default: .zero) == .seconds(90))
        #expect(try metadata.duration("bare", default: .zero, bareUnit: .milliseconds(1)) == .milliseconds(3))
        #expect(metadata.string("empty", default: "d") == "d")
    }

    @Test("bad values name the component and the field")
    func errors() {
        #expect(throws: ComponentConfigurationError.self) { try metadata.required("empty") }
        #expect(throws: ComponentConfigurationError.self) { try metadata.int("count", default: 0, in: 1...10) }
        #expect(throws: ComponentConfigurationError.self) { try metadata.int("redisHost", default: 0) }
        #expect(throws: ComponentConfigurationError.self) { try metadata.bool("count", default: false) }
        do {
            _ = try metadata.required("password")
        } catch {
            #expect(error.description == "component 'c': metadata field 'password' is required")
        }
    }

    @Test(
        "Go durations parse as Go parses them",
        arguments: [
            ("300ms", Duration.milliseconds(300)), ("1.5h", .seconds(5400)), ("2h45m", .seconds(9900)),
            ("1m30s", .seconds(90)), ("0", .zero), ("-2s", .seconds(-2)), ("10us", .microseconds(10)), ("7ns", .nanoseconds(7)),
        ])
    func goDurations(text: String, expected: Duration) throws {
        #expect(try GoDuration.parse(text) == expected)
    }

    @Test("malformed durations are refused", arguments: ["", "5", "5 s", "s", "1x", "--1s", "1.2.3s"])
    func badDurations(text: String) {
        #expect(throws: GoDuration.ParseError.self) { try GoDuration.parse(text) }
    }

    @Test("durations are written as Go writes them, as in Dapr's logs and metadata")
    func formatting() {
        #expect(GoDuration.format(.seconds(90)) == "1m30s")
        #expect(GoDuration.format(.milliseconds(250)) == "250ms")
        #expect(GoDuration.format(.zero) == "0s")
        #expect(GoDuration.format(.seconds(3600)) == "1h0m0s")
    }
}
