import Synchronization

/// The outcome of every request of a run: latencies of the answered ones, how late each was
/// sent, and the errors.
struct LoadRecorder: Sendable {
    private(set) var latencies = LatencyHistogram()
    private(set) var sendLags = LatencyHistogram()
    private(set) var errors = 0
    private(set) var firstError: String?

    mutating func record(_ outcome: PublishRequest.Outcome, latency: Duration, sendLag: Duration) {
        switch outcome {
        case .answered:
            latencies.record(latency)
            sendLags.record(sendLag)
        case .failed(let description):
            errors += 1
            if firstError == nil { firstError = description }
        }
    }

    /// The fields of the `RESULT` line: counts, rate and percentiles in microseconds.
    func fields(elapsed: Duration) -> [(String, String)] {
        var latencies = latencies
        var sendLags = sendLags
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        return [
            ("count", "\(latencies.count)"), ("errors", "\(errors)"),
            ("seconds", String(format3: seconds)), ("rate", String(format3: Double(latencies.count) / seconds)),
            ("p50_us", "\(latencies.microseconds(atPercentile: 0.5))"),
            ("p90_us", "\(latencies.microseconds(atPercentile: 0.9))"),
            ("p99_us", "\(latencies.microseconds(atPercentile: 0.99))"),
            ("p999_us", "\(latencies.microseconds(atPercentile: 0.999))"),
            ("max_us", "\(latencies.microseconds(atPercentile: 1))"),
            ("send_lag_p50_us", "\(sendLags.microseconds(atPercentile: 0.5))"),
            ("send_lag_p99_us", "\(sendLags.microseconds(atPercentile: 0.99))"),
        ]
    }

    /// Says on standard error what the first failed request failed with, if one did.
    func reportFirstError() {
        guard let firstError else { return }
        printToStandardError("\(errors) requests failed; the first: \(firstError)")
    }
}

/// One ``LoadRecorder`` shared by every request of a run (a class, so escaping task closures can
/// capture it).
final class SharedLoadRecorder: Sendable {
    private let recorder = Mutex(LoadRecorder())

    func record(_ outcome: PublishRequest.Outcome, latency: Duration, sendLag: Duration) {
        recorder.withLock { $0.record(outcome, latency: latency, sendLag: sendLag) }
    }

    /// What was recorded so far.
    var snapshot: LoadRecorder { recorder.withLock { $0 } }
}
