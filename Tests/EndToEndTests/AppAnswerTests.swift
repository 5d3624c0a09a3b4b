import Testing

/// Behaviour 4: how the app's answer decides between done, retry and drop.
@Suite("The app's answers", .timeLimit(.minutes(1)))
struct AppAnswerTests {
    /// `maxRetries` retries 50 ms apart on the `answers` topic.
    static func resources(maxRetries: Int = 3) -> [String: String] {
        [
            "pubsub.yaml": YAML.pubsub(),
            "answers.yaml": YAML.subscriptionV1(name: "answers", topic: "answers", route: "/answers"),
            "resiliency.yaml": YAML.resiliency(maxRetries: maxRetries, duration: "50ms"),
        ]
    }

    /// Answers as the event's `data.answer` says; `data.failures` first attempts get that
    /// answer, later ones SUCCESS.
    static let script: TestApp.Script = { request in
        guard let data = request.data, let answer = data["answer"]?.string else { return .success }
        let failures = data["failures"]?.number.map { Int($0) } ?? Int.max
        let failing: Reply = switch answer {
        case "empty": .emptyOK
        case "null": .jsonNull
        case "success": .success
        case "created": .status(201)
        case "text": .text("thanks")
        case "other-json": .status(200, body: #"{"received": true}"#)
        case "retry": .retry
        case "unknown-status": .status(200, body: #"{"status":"MAYBE"}"#)
        case "500": .status(500, body: #"{"error":"boom"}"#)
        case "503": .status(503)
        case "drop": .drop
        case "404": .status(404)
        default: .status(400)
        }
        return request.attempt <= failures ? failing : .success
    }

    /// Publishes a marker after the interesting events and waits for it, so anything the
    /// sidecar would deliver again has had its chance to arrive first.
    static func publishMarker(_ sidecar: SidecarProcess, _ app: TestApp) async throws {
        try await sidecar.mustPublish(topic: "answers", json: #"{"marker": true}"#)
        try await app.waitFor("/answers") { $0.data == ["marker": true] }
    }

    @Test("2xx answers that mean success (empty, SUCCESS, null, 201, text, JSON without status) are delivered once")
    func successAnswers() async throws {
        let answers = ["empty", "success", "null", "created", "text", "other-json"]
        try await withSidecar(SidecarOptions(resources: Self.resources()), script: Self.script) { sidecar, app in
            for answer in answers {
                try await sidecar.mustPublish(topic: "answers", json: #"{"answer": "\#(answer)"}"#)
            }
            try await sidecar.waitForCounters(topic: "answers", ["delivered": answers.count, "inFlight": 0])
            try await Self.publishMarker(sidecar, app)
            let counters = try await sidecar.waitForCounters(topic: "answers", ["delivered": answers.count + 1])
            for answer in answers {
                let received = app.received("/answers").filter { $0.data?["answer"]?.string == answer }
                #expect(received.count == 1, "answer \(answer) was delivered \(received.count) times")
            }
            #expect(counters["retried"] == 0, "\(counters)")
            #expect(counters["dropped"] == 0, "\(counters)")
            #expect(counters["nacked"] == 0, "\(counters)")
        }
    }

    @Test("RETRY, an unknown status, 500 and 503 are retried: exactly failures + 1 attempts")
    func retriedAnswers() async throws {
        let cases = [("retry", 2), ("unknown-status", 1), ("500", 3), ("503", 1)]
        try await withSidecar(SidecarOptions(resources: Self.resources(maxRetries: 3)), script: Self.script) { sidecar, app in
            for (answer, failures) in cases {
                try await sidecar.mustPublish(topic: "answers", json: #"{"answer": "\#(answer)", "failures": \#(failures)}"#)
            }
            try await sidecar.waitForCounters(topic: "answers", ["delivered": cases.count, "inFlight": 0])
            try await Self.publishMarker(sidecar, app)
            let counters = try await sidecar.waitForCounters(topic: "answers", ["delivered": cases.count + 1])
            for (answer, failures) in cases {
                let received = app.received("/answers").filter { $0.data?["answer"]?.string == answer }
                #expect(received.count == failures + 1, "answer \(answer): \(received.count) attempts, expected \(failures + 1)")
                #expect(received.map(\.attempt) == Array(1...(failures + 1)))
                #expect(Set(received.compactMap(\.eventID)).count == 1, "a retry is the same event (same id)")
            }
            #expect(counters["retried"] == .number(Double(cases.map(\.1).reduce(0, +))), "\(counters)")
            #expect(counters["nacked"] == 0, "\(counters)")
        }
    }

    @Test("DROP and 404 are not delivered again")
    func droppedAnswers() async throws {
        try await withSidecar(SidecarOptions(resources: Self.resources()), script: Self.script) { sidecar, app in
            try await sidecar.mustPublish(topic: "answers", json: #"{"answer": "drop"}"#)
            try await sidecar.mustPublish(topic: "answers", json: #"{"answer": "404"}"#)
            try await sidecar.waitForCounters(topic: "answers", ["dropped": 2, "inFlight": 0])
            try await Self.publishMarker(sidecar, app)
            let counters = try await sidecar.waitForCounters(topic: "answers", ["delivered": 1, "dropped": 2])
            #expect(app.received("/answers").filter { $0.data?["answer"] == "drop" }.count == 1)
            #expect(app.received("/answers").filter { $0.data?["answer"] == "404" }.count == 1)
            #expect(counters["retried"] == 0, "\(counters)")
            #expect(counters["nacked"] == 0, "\(counters)")
        }
    }

    @Test("an attempt that outlasts the Resiliency timeout counts as failed and is retried")
    func timedOutAttemptIsRetried() async throws {
        var resources = Self.resources(maxRetries: 3)
        // The timeout is generous for the attempts that answer at once (a loaded 2-core box once
        // took over 300 ms for them); the first attempt outlasts it by far.
        resources["resiliency.yaml"] = YAML.resiliency(maxRetries: 3, duration: "50ms", timeout: "1500ms")
        let script: TestApp.Script = { request in
            request.path == "/answers" && request.attempt == 1 ? .after(.seconds(20), .success) : .success
        }
        try await withSidecar(SidecarOptions(resources: resources), script: script) { sidecar, app in
            let published = ContinuousClock.now
            try await sidecar.mustPublish(topic: "answers", json: #"{"slow": true}"#)
            let counters = try await sidecar.waitForCounters(topic: "answers", ["delivered": 1, "inFlight": 0])
            let attempts = app.received("/answers")
            #expect(attempts.map(\.attempt) == [1, 2], "\(attempts)")
            #expect(counters["retried"] == 1, "\(counters)")
            // The first attempt only answers after 20 s: a delivery well before that proves the
            // attempt timeout fired and the retry succeeded.
            #expect(ContinuousClock.now - published < .seconds(15))
        }
    }

    @Test("retries exhausted without a dead-letter topic: the broker delivers the event again")
    func exhaustedRetriesGoBackToTheBroker() async throws {
        // maxRetries 1: two attempts per round; the first round fails, the broker's redelivery succeeds.
        try await withSidecar(SidecarOptions(resources: Self.resources(maxRetries: 1)), script: Self.script) { sidecar, app in
            try await sidecar.mustPublish(topic: "answers", json: #"{"answer": "retry", "failures": 2}"#)
            let counters = try await sidecar.waitForCounters(topic: "answers", ["delivered": 1, "inFlight": 0])
            let received = app.received("/answers")
            #expect(received.count == 3, "\(received)")
            #expect(Set(received.compactMap(\.eventID)).count == 1)
            #expect(counters["nacked"] == 1, "\(counters)")
            #expect(counters["retried"] == 1, "\(counters)")
        }
    }
}
