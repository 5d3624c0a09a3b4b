import Foundation
import OutriggerCore
@testable import OutriggerRuntime
import Testing

@Suite("Running-sidecar records")
struct RunningSidecarsTests {
    func configuration(appID: String, command: [String], appPort: Int?) -> SidecarConfiguration {
        var configuration = SidecarConfiguration(appID: appID)
        configuration.appPort = appPort
        configuration.command = command
        configuration.resourcesPaths = ["./components", "/tmp/a \"quoted\" path"]
        return configuration
    }

    @Test(
        "a record written by the sidecar reads back whole through list()",
        arguments: [
            (command: ["python3", "app.py", "--name", "o'neil \"x\"\\y", "tab\there", "é 🚢"], appPort: 3000 as Int?, processStart: 123_456 as UInt64?),
            (command: [], appPort: nil, processStart: nil),
        ])
    func roundTrip(command: [String], appPort: Int?, processStart: UInt64?) throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("outrigger-records-\(UInt32.random(in: 0...UInt32.max))")
        defer { try? FileManager.default.removeItem(at: folder) }
        let running = RunningSidecars(environment: ["OUTRIGGER_RUNTIME_DIR": folder.path])
        // This process's pid and start time, so list() keeps the record as a running sidecar.
        let pid = getpid()
        var record = RunningSidecars.Record(
            configuration: configuration(appID: "orders", command: command, appPort: appPort), pid: pid,
            started: 1_764_648_000.125, processStart: RunningSidecars.processStart(of: pid))
        _ = try running.register(record)
        #expect(running.list() == [record])

        // The optional members are left out when absent, as JSONEncoder leaves them out.
        record.processStart = processStart
        let text = String(decoding: record.json, as: UTF8.self)
        #expect(text.contains("processStart") == (processStart != nil), "\(text)")
        #expect(text.contains("appPort") == (appPort != nil), "\(text)")
        #expect(try JSONDecoder().decode(RunningSidecars.Record.self, from: Data(record.json)) == record)
    }
}
