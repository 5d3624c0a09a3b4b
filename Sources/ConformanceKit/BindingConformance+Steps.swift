import OutriggerCore

extension BindingConformance {
    func listedOperations(_ output: (any OutputBinding)?) -> StepResult {
        let step = Step.operations.rawValue
        if let skipped = skippedUnlessListed(.operations) { return skipped }
        guard let output else { return StepResult(step, .failed("the component is not an output binding")) }
        let offered = Set(output.operations.map { $0.lowercased() })
        let missing = operations.subtracting(Self.stepNames).filter { !offered.contains($0.lowercased()) }
        return missing.isEmpty
            ? StepResult(step, .passed, detail: "offers \(output.operations.joined(separator: ", "))")
            : StepResult(step, .failed("operations \(missing.sorted()) are not in the binding's list \(output.operations)"))
    }

    func create(_ output: (any OutputBinding)?) async -> StepResult {
        let step = Step.create.rawValue
        if let skipped = skippedUnlessListed(.create) { return skipped }
        guard let output else { return StepResult(step, .failed("the component is not an output binding")) }
        do {
            _ = try await output.invoke(BindingRequest(operation: "create", data: Array("create-\(runID)".utf8), metadata: requestMetadata))
            return StepResult(step, .passed)
        } catch {
            return StepResult(step, .failed("\(error)"))
        }
    }

    /// Passes when the input side delivered `expected` events (any payload).
    func read(_ log: DeliveryLog, failure: String?, expected: Int) async -> StepResult {
        let step = Step.read.rawValue
        if let skipped = skippedUnlessListed(.read) { return skipped }
        if let failure { return StepResult(step, .failed(failure)) }
        let delivered = await log.wait(within: maxReadDuration) { $0.attempts.values.reduce(0, +) >= expected }
        let count = await log.snapshot.attempts.values.reduce(0, +)
        if delivered { return StepResult(step, .passed, detail: "\(count) events") }
        // The wait timed out, but the events may have come while the step looked again.
        return count >= expected
            ? StepResult(step, .failed("the input binding delivered all \(expected) events, but not all within \(maxReadDuration)"))
            : StepResult(step, .failed("the input binding delivered \(count) of \(expected) events within \(maxReadDuration)"))
    }

    func roundTrip(_ output: (any OutputBinding)?, _ log: DeliveryLog, reading: Bool) async -> StepResult {
        let step = Step.roundTrip.rawValue
        if let skipped = skippedUnlessListed(.roundTrip) { return skipped }
        guard let output else { return StepResult(step, .failed("the component is not an output binding")) }
        guard reading else { return StepResult(step, .failed("the input side could not be read")) }
        let sent = (1...messageCount).map { "roundtrip-\(runID)-\($0)" }
        do {
            for payload in sent {
                _ = try await output.invoke(BindingRequest(operation: "create", data: Array(payload.utf8), metadata: requestMetadata))
            }
        } catch {
            return StepResult(step, .failed("create failed: \(error)"))
        }
        let arrived = await log.wait(within: maxReadDuration) { $0.allAcknowledged(sent) }
        guard arrived else {
            let snapshot = await log.snapshot
            let missing = sent.filter { snapshot.successes[$0] == nil }
            let other = snapshot.attempts.keys.filter { !$0.hasPrefix("roundtrip-\(runID)") && !$0.hasPrefix("create-\(runID)") }
            return StepResult(step, .failed("\(missing.count) of \(sent.count) payloads never came out of the input side within \(maxReadDuration), e.g. \(missing.prefix(2)); other events: \(other.prefix(2))"))
        }
        return StepResult(step, .passed, detail: "\(sent.count) payloads")
    }
}
