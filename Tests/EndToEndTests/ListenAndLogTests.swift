import Foundation
import Testing

/// `--dapr-listen-addresses`, `--app-channel-address` and `--log-as-json`.
@Suite("Listen addresses and JSON logs", .timeLimit(.minutes(1)))
struct ListenAndLogTests {
    @Test("--dapr-listen-addresses serves the API on each address; without it only loopback 127.0.0.1")
    func listenAddresses() async throws {
        try await withSidecar(SidecarOptions(extraArguments: ["--dapr-listen-addresses", "127.0.0.1, 127.0.0.2"])) { sidecar, _ in
            for host in ["127.0.0.1", "127.0.0.2"] {
                let answer = try await HTTP.request("GET", "http://\(host):\(sidecar.httpPort)/v1.0/healthz/outbound")
                #expect(answer.status == 204, "\(host)")
            }
        }
        try await withSidecar(SidecarOptions()) { sidecar, _ in
            let other = try? await HTTP.request("GET", "http://127.0.0.2:\(sidecar.httpPort)/v1.0/healthz/outbound", timeout: .seconds(2))
            #expect(other == nil, "the API answered on 127.0.0.2 without being asked to listen there")
        }
    }

    @Test("an address that is not IPv4 is refused before start", arguments: ["--dapr-listen-addresses", "--app-channel-address"])
    func badAddress(_ flag: String) async throws {
        let result = try await SidecarProcess.runToExit(["run", "--app-id", "bad", flag, "not-an-address"])
        #expect(result.status != 0)
        #expect(result.stderr.contains("'not-an-address' is not an IPv4 address"), "\(result.stderr)")
    }

    @Test("--log-as-json writes one JSON object per line with daprd's field names")
    func jsonLogs() async throws {
        try await withSidecar(SidecarOptions(appID: "json-logs", extraArguments: ["--log-as-json"])) { sidecar, _ in
            try await sidecar.mustPublish(topic: "t", json: "{}")
            let lines = sidecar.logs.split(separator: "\n").map(String.init)
            #expect(!lines.isEmpty)
            for line in lines {
                let object = try? JSON.parse(Array(line.utf8))
                #expect(object?["level"]?.string != nil && object?["msg"]?.string != nil, "not a JSON log line: \(line)")
                #expect(object?["app_id"] == "json-logs" && object?["type"] == "log", "\(line)")
                #expect(object?["time"]?.string?.hasSuffix("Z") == true, "\(line)")
            }
            #expect(lines.contains { $0.contains(#""msg":"outrigger "#) && $0.contains(#" started""#) && $0.contains(#""http-port":"\#(sidecar.httpPort)""#) })
        }
    }
}
