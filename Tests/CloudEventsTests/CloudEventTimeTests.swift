import Testing
import CloudEvents

@Suite struct CloudEventTimeTests {
    @Test(arguments: [
        (0.0, "1970-01-01T00:00:00Z"), (1_700_000_000, "2023-11-14T22:13:20Z"), (-1, "1969-12-31T23:59:59Z"),
        (951_782_400, "2000-02-29T00:00:00Z"), (4_102_444_799, "2099-12-31T23:59:59Z"),
        (1_234_567_890.999, "2009-02-13T23:31:30Z"), (-0.5, "1969-12-31T23:59:59Z"),
    ])
    func formatsUTCWithSecondPrecision(_ sample: (seconds: Double, text: String)) {
        #expect(CloudEventTime.format(secondsSince1970: sample.seconds) == sample.text)
    }

    @Test func formatClampsToFourDigitYears() {
        #expect(CloudEventTime.format(secondsSince1970: 1e300) == "9999-12-31T23:59:59Z")
        #expect(CloudEventTime.format(secondsSince1970: -1e300) == "0000-01-01T00:00:00Z")
    }

    @Test(arguments: [
        ("1970-01-01T00:00:00Z", 0.0), ("2023-11-14T22:13:20Z", 1_700_000_000),
        ("2025-03-14T09:27:00.250+01:00", 1_741_940_820.25), ("2024-02-29T23:59:59-05:30", 1_709_270_999),
        ("2023-11-14t22:13:20z", 1_700_000_000), ("2000-02-29T00:00:00.000000001Z", 951_782_400.000000001),
    ])
    func parsesRFC3339(_ sample: (text: String, seconds: Double)) throws {
        let parsed = try #require(CloudEventTime.parse(sample.text))
        #expect(abs(parsed - sample.seconds) < 1e-6)
    }

    @Test(arguments: [
        "", "2023-11-14", "2023-11-14T22:13:20", "2023-11-14 22:13:20Z", "2023-13-01T00:00:00Z",
        "2023-02-29T00:00:00Z", "1900-02-29T00:00:00Z", "2023-04-31T00:00:00Z", "2023-11-14T24:00:00Z",
        "2023-11-14T22:60:00Z", "2023-11-14T22:13:60Z", "2023-11-14T22:13:20.Z", "2023-11-14T22:13:20+0100",
        "2023-11-14T22:13:20+24:00", "2023-11-14T22:13:20Zjunk", "23-11-14T22:13:20Z", "2023-1-14T22:13:20Z",
    ])
    func rejectsMalformedTimestamps(_ text: String) {
        #expect(CloudEventTime.parse(text) == nil)
    }

    @Test func parseInvertsFormat() {
        for seconds in stride(from: -3_000_000_000.0, through: 7_000_000_000, by: 86_399.5 * 97) {
            let text = CloudEventTime.format(secondsSince1970: seconds)
            #expect(CloudEventTime.parse(text) == seconds.rounded(.down), "\(text)")
        }
    }

    @Test func nowIsCurrentRFC3339() throws {
        let before = CloudEventTime.currentSeconds().rounded(.down)
        let text = CloudEventTime.now()
        let after = CloudEventTime.currentSeconds()
        #expect(text.utf8.count == 20)
        #expect(text.hasSuffix("Z"))
        let parsed = try #require(CloudEventTime.parse(text))
        #expect(parsed >= before && parsed <= after)
        #expect(before > 1_700_000_000)
    }
}
