import Foundation
import OutriggerCore

/// The bindings conformance steps, run against one binding built by `makeComponent`; each step
/// after `init` runs only when the profile's `operations` lists it.
///
/// - `init`: the binding builds from its component.yaml.
/// - `operations`: the output binding's ``OutputBinding/operations`` contains every binding
///   operation the profile lists (every name that is not a step name, e.g. `create`, `get`).
/// - `create`: invoking `create` succeeds.
/// - `read`: the input binding delivers to its handler: the event `create` made when the binding
///   is both, else `messageCount` of the source's own events within `maxReadDuration`.
/// - `roundtrip`: data invoked through the output side comes out of the input side unchanged.
///
/// ```swift
/// let suite = BindingConformance(operations: ["operations", "create", "read", "roundtrip"]) { try makeBinding() }
/// let report = await suite.run(subject: "bindings.loopback/default")
/// ```
public struct BindingConformance: Sendable {
    /// The steps, in the order they run.
    public enum Step: String, Sendable, CaseIterable {
        case initialize = "init"
        case operations
        case create
        case read
        case roundTrip = "roundtrip"
    }

    /// Names in a profile's `operations` that switch steps on without naming a binding operation.
    public static let stepNames: Set<String> = ["operations", "read", "roundtrip"]

    public var messageCount: Int
    public var maxReadDuration: Duration
    /// Steps to run and binding operations the output side must offer.
    public var operations: Set<String>
    public var makeComponent: @Sendable () async throws -> any Component
    /// Metadata every invocation carries (`config.requestMetadata`).
    public var requestMetadata: [String: String] = [:]
    /// Unique per run, so events left by other runs are told apart.
    public let runID = String(UUID().uuidString.prefix(8)).lowercased()

    public init(messageCount: Int = 10, maxReadDuration: Duration = .seconds(60), operations: Set<String>, makeComponent: @escaping @Sendable () async throws -> any Component) {
        self.messageCount = max(messageCount, 1)
        self.maxReadDuration = maxReadDuration
        self.operations = operations
        self.makeComponent = makeComponent
    }

    /// The suite for one `tests.yml` entry.
    public init(entry: ConformancePlan.Entry, makeComponent: @escaping @Sendable () async throws -> any Component) {
        self.init(messageCount: entry.messageCount, maxReadDuration: entry.maxReadDuration, operations: entry.operations, makeComponent: makeComponent)
        self.requestMetadata = entry.requestMetadata
    }

    /// Runs every listed step and reports each one; never throws.
    public func run(subject: String) async -> ConformanceReport {
        var report = ConformanceReport(subject: subject)
        let component: any Component
        do {
            component = try await makeComponent()
            report.results.append(StepResult(Step.initialize.rawValue, .passed))
        } catch {
            report.results.append(StepResult(Step.initialize.rawValue, .failed("\(error)")))
            return report
        }
        let output = component as? any OutputBinding
        let log = DeliveryLog()
        report.results.append(listedOperations(output))
        var reading: Subscription?
        var readFailure: String?
        if operations.contains(Step.read.rawValue) || operations.contains(Step.roundTrip.rawValue) {
            if let input = component as? any InputBinding {
                do {
                    reading = try await input.read { event in
                        await log.record(topic: "input", payload: String(decoding: event.data, as: UTF8.self), succeeded: true)
                    }
                } catch {
                    readFailure = "read failed: \(error)"
                }
            } else {
                readFailure = "the component is not an input binding"
            }
        }
        report.results.append(await create(output))
        // An input-only source (a schedule, a queue fed elsewhere) must deliver `messageCount`
        // events; one that is also the output side needs only the event `create` made.
        report.results.append(await read(log, failure: readFailure, expected: output == nil ? messageCount : 1))
        report.results.append(await roundTrip(output, log, reading: readFailure == nil))
        await reading?.cancel()
        try? await component.close()
        return report
    }

    func skippedUnlessListed(_ step: Step) -> StepResult? {
        operations.contains(step.rawValue) ? nil : StepResult(step.rawValue, .skipped("not listed in the profile's operations"))
    }
}
