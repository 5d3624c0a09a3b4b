import ConformanceKit
import Testing

/// The bindings steps pass for a correct loopback binding and fail for each broken one.
@Suite("Bindings conformance catches broken bindings")
struct BindingTeethTests {
    static let allSteps: Set<String> = ["operations", "create", "read", "roundtrip"]

    func run(_ fault: LoopbackBinding.Fault, operations: Set<String> = allSteps) async -> ConformanceReport {
        let patience = fault == .none ? Teeth.patient : Teeth.maxReadDuration
        let suite = BindingConformance(messageCount: 5, maxReadDuration: patience, operations: operations) {
            try LoopbackBinding(fault: fault)
        }
        return await suite.run(subject: "loopback double")
    }

    @Test("a correct loopback binding passes every step")
    func baseline() async {
        let report = await run(.none)
        #expect(report.failures.isEmpty, "\(report)")
        #expect(report.skipped.isEmpty, "\(report)")
    }

    @Test("steps the profile does not list are skipped")
    func unlistedStepsSkip() async {
        let report = await run(.none, operations: [])
        #expect(report.result(of: "init") == .passed, "\(report)")
        #expect(report.skipped.count == 4, "\(report)")
    }

    @Test("a binding that cannot be built fails 'init'")
    func initFails() async {
        #expect(Teeth.failed(await run(.initFails).result(of: "init")))
    }

    @Test("an output binding that does not list an operation of its profile fails 'operations'")
    func omitsCreate() async {
        let report = await run(.omitsCreate)
        #expect(Teeth.failed(report.result(of: "operations")), "\(report)")
    }

    @Test("an output binding whose create throws fails 'create'")
    func createFails() async {
        let report = await run(.createFails)
        #expect(Teeth.failed(report.result(of: "create")), "\(report)")
    }

    @Test("an input binding that never delivers fails 'read'")
    func silentInput() async {
        let report = await run(.silentInput)
        #expect(Teeth.failed(report.result(of: "read")), "\(report)")
    }

    @Test("a binding whose input side delivers other bytes than invoked fails 'roundtrip' only")
    func manglesData() async {
        let report = await run(.manglesData)
        #expect(report.result(of: "read") == .passed, "\(report)")
        #expect(Teeth.failed(report.result(of: "roundtrip")), "\(report)")
    }
}
