import OutriggerCore
import OutriggerDelivery
import Testing

@Suite("Backoff, policies and the app answer")
struct PolicyTests {
    @Test("the default policy waits 100 ms doubling to 10 s, for 10 retries")
    func defaultSchedule() {
        let waits = (1...11).map { DeliveryPolicy.default.delay(beforeRetry: $0) }
        let expected: [Duration?] = [
            .milliseconds(100), .milliseconds(200), .milliseconds(400), .milliseconds(800), .milliseconds(1600),
            .milliseconds(3200), .milliseconds(6400), .seconds(10), .seconds(10), .seconds(10), nil,
        ]
        #expect(waits == expected)
    }

    @Test("jitter stays within its fraction")
    func jitterBounds() {
        let backoff = Backoff(initial: .milliseconds(500), multiplier: 1.5, maximum: .seconds(60), jitter: 0.5)
        #expect(backoff.delay(beforeRetry: 1, random: 0) == .milliseconds(250))
        #expect(backoff.delay(beforeRetry: 1, random: 1) == .milliseconds(750))
        #expect(backoff.delay(beforeRetry: 3, random: 0.5) == .microseconds(1_125_000))
        #expect(backoff.delay(beforeRetry: 40, random: 0.5) == .seconds(60))
    }

    @Test("a Resiliency inbound target becomes the delivery policy")
    func resolveFromResiliency() throws {
        var set = ResourceSet()
        try ResourceLoader.load(text: """
            apiVersion: dapr.io/v1alpha1
            kind: Resiliency
            metadata: {name: r}
            spec:
              policies:
                timeouts: {short: 750ms}
                retries:
                  steady: {policy: constant, duration: 2s, maxRetries: 4}
                  forever: {policy: exponential, maxInterval: 15s, maxRetries: -1}
                circuitBreakers:
                  cb: {maxRequests: 2, timeout: 30s, trip: consecutiveFailures >= 3}
              targets:
                components:
                  orders: {inbound: {retry: steady, timeout: short, circuitBreaker: cb}, outbound: {retry: forever}}
            """, file: "r.yaml", into: &set)
        let inbound = DeliveryPolicy.resolve(component: "orders", inbound: true, resiliencies: set.resiliencies)
        #expect(inbound.maxRetries == 4)
        #expect(inbound.delay(beforeRetry: 4) == .seconds(2))
        #expect(inbound.delay(beforeRetry: 5) == nil)
        #expect(inbound.attemptTimeout == .milliseconds(750))
        #expect(inbound.circuitBreaker?.maxRequests == 2)
        let outbound = DeliveryPolicy.resolve(component: "orders", inbound: false, resiliencies: set.resiliencies)
        #expect(outbound.maxRetries == nil)
        #expect(outbound.backoff.maximum == .seconds(15))
        #expect(outbound.delay(beforeRetry: 1000) != nil)
        let other = DeliveryPolicy.resolve(component: "payments", inbound: true, resiliencies: set.resiliencies)
        #expect(other == .default)
    }

    @Test(
        "HTTP answers are read as Dapr reads them",
        arguments: [
            (200, "", AppAnswer.success),
            (204, "", .success),
            (200, "null", .success),
            (200, "not json", .success),
            (200, #"{"other":1}"#, .success),
            (200, #"{"status":"SUCCESS"}"#, .success),
            (200, #"{"status":"success"}"#, .success),
            (200, #"{"status":"RETRY"}"#, .retry("app answered RETRY")),
            (200, #"{"status":"DROP"}"#, .drop("app answered DROP")),
            (200, #"{"status":"MAYBE"}"#, .retry("app answered unknown status 'MAYBE'")),
            (404, "", .drop("app answered HTTP 404")),
            (500, "", .retry("app answered HTTP 500")),
            (503, #"{"status":"SUCCESS"}"#, .retry("app answered HTTP 503")),
        ])
    func httpAnswers(status: Int, body: String, expected: AppAnswer) {
        #expect(AppAnswer.fromHTTP(status: status, body: Array(body.utf8)) == expected)
    }
}

@Suite("Circuit breaker state machine")
struct CircuitBreakerTests {
    typealias Breaker = CircuitBreaker<ContinuousClock.Instant>
    let start = ContinuousClock.now

    func at(_ milliseconds: Int) -> ContinuousClock.Instant { start.advanced(by: .milliseconds(milliseconds)) }

    @Test("trips on the condition, refuses while open, probes after the timeout, closes on success")
    func fullCycle() throws {
        var breaker = try Breaker(settings: .init(maxRequests: 1, timeout: .seconds(1), trip: "consecutiveFailures >= 3"), now: at(0))
        for time in 1...2 {
            let admitted1 = breaker.admit(now: at(time))
            #expect(admitted1)
            breaker.record(success: false, now: at(time))
        }
        #expect(breaker.stateName == "closed")
        let admitted2 = breaker.admit(now: at(3))
        #expect(admitted2)
        breaker.record(success: false, now: at(3))
        #expect(breaker.stateName == "open")
        let admitted3 = breaker.admit(now: at(500))
        #expect(admitted3 == false)
        let admitted4 = breaker.admit(now: at(1003))
        #expect(admitted4)
        #expect(breaker.stateName == "half-open")
        let admitted5 = breaker.admit(now: at(1004))
        #expect(admitted5 == false)
        breaker.record(success: true, now: at(1005))
        #expect(breaker.stateName == "closed")
        #expect(breaker.counts == TripCondition.Counts())
    }

    @Test("a failed probe opens the breaker again")
    func failedProbe() throws {
        var breaker = try Breaker(settings: .init(maxRequests: 2, timeout: .milliseconds(100), trip: "consecutiveFailures > 0"), now: at(0))
        _ = breaker.admit(now: at(0))
        breaker.record(success: false, now: at(0))
        let admitted6 = breaker.admit(now: at(100))
        #expect(admitted6)
        let admitted7 = breaker.admit(now: at(101))
        #expect(admitted7)
        let admitted8 = breaker.admit(now: at(102))
        #expect(admitted8 == false)
        breaker.record(success: true, now: at(103))
        #expect(breaker.stateName == "half-open")
        breaker.record(success: false, now: at(104))
        #expect(breaker.stateName == "open")
        let admitted9 = breaker.admit(now: at(150))
        #expect(admitted9 == false)
    }

    @Test("a non-zero interval clears the counts of a closed breaker")
    func intervalClears() throws {
        var breaker = try Breaker(settings: .init(interval: .seconds(1), trip: "totalFailures >= 2"), now: at(0))
        _ = breaker.admit(now: at(0))
        breaker.record(success: false, now: at(0))
        _ = breaker.admit(now: at(1500))
        breaker.record(success: false, now: at(1500))
        #expect(breaker.stateName == "closed")
        #expect(breaker.counts.totalFailures == 1)
    }

    @Test("trip conditions: counters, operators, && binding tighter than ||, clear errors")
    func tripConditions() throws {
        var counts = TripCondition.Counts()
        counts.consecutiveFailures = 5
        counts.requests = 10
        #expect(try TripCondition("consecutiveFailures >= 5").isSatisfied(by: counts))
        #expect(try TripCondition("consecutiveFailures > 5").isSatisfied(by: counts) == false)
        #expect(try TripCondition("requests == 1 || consecutiveFailures == 5 && requests != 3").isSatisfied(by: counts))
        #expect(try TripCondition("requests < 3 && consecutiveFailures >= 1").isSatisfied(by: counts) == false)
        #expect(throws: TripCondition.SyntaxError.self) { try TripCondition("failures > 5") }
        #expect(throws: TripCondition.SyntaxError.self) { try TripCondition("consecutiveFailures > five") }
        #expect(throws: TripCondition.SyntaxError.self) { try TripCondition("consecutiveFailures") }
    }
}
