import OutriggerSeam
import Testing

/// Durations in Go's notation, as Dapr's YAML and response metadata use them.
@Suite("Go durations")
struct GoDurationTests {
    @Test("durations are written as Go writes them")
    func goDurations() {
        #expect(GoDuration.format(.zero) == "0s")
        #expect(GoDuration.format(.nanoseconds(450)) == "450ns")
        #expect(GoDuration.format(.microseconds(294)) == "294µs")
        #expect(GoDuration.format(.microseconds(1_500)) == "1.5ms")
        #expect(GoDuration.format(.nanoseconds(2_000_345_000)) == "2.000345s")
        #expect(GoDuration.format(.milliseconds(60_500)) == "1m0.5s")
        #expect(GoDuration.format(.seconds(3_723)) == "1h2m3s")
    }

    @Test("what Go parses: units, fractions, sequences and signs; anything else is refused")
    func parsing() throws {
        #expect(try GoDuration.parse("300ms") == .milliseconds(300))
        #expect(try GoDuration.parse("1.5h") == .seconds(5400))
        #expect(try GoDuration.parse("2h45m") == .seconds(9900))
        #expect(try GoDuration.parse("-1s") == .seconds(-1))
        #expect(try GoDuration.parse("0") == .zero)
        #expect(throws: GoDuration.ParseError.self) { try GoDuration.parse("5") }
        #expect(throws: GoDuration.ParseError.self) { try GoDuration.parse("1 day") }
    }
}
