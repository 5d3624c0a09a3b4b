import Foundation
import OutriggerTesting
import Testing

/// Many connections, and connections that do not speak the protocol: the sidecar keeps serving.
@Suite("Connection floods and garbage", .timeLimit(.minutes(3)))
struct ConnectionLoadTests {
    /// Open descriptors of process `pid`.
    static func openDescriptors(_ pid: Int32) -> Int {
        (try? FileManager.default.contentsOfDirectory(atPath: "/proc/\(pid)/fd").count) ?? 0
    }

    /// The soft and hard "Max open files" of process `pid`, from /proc.
    static func openFileLimits(_ pid: Int32) -> (soft: String, hard: String)? {
        guard let text = try? String(contentsOfFile: "/proc/\(pid)/limits", encoding: .utf8),
              let line = text.split(separator: "\n").first(where: { $0.hasPrefix("Max open files") })
        else { return nil }
        let fields = line.dropFirst("Max open files".count).split(separator: " ")
        return fields.count >= 2 ? (String(fields[0]), String(fields[1])) : nil
    }

    /// Holds `count` idle connections to `port` in a child process, so the test process keeps
    /// its descriptors (Foundation's Process and the other tests' pipes need them). Opens them in
    /// batches smaller than the listen backlog (4,096; it was 256), each once the sidecar (`pid`) accepted the
    /// last: a burst past the backlog completes on the client through SYN cookies while the
    /// server never sees the connection. Prints "held N" when done; ends when its stdin closes.
    static let idleClientScript = """
        import os, resource, socket, sys, time
        port, pid, count = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
        soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
        resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
        base = len(os.listdir(f"/proc/{pid}/fd"))
        held = []
        while len(held) < count:
            if len(os.listdir(f"/proc/{pid}/fd")) < base + len(held):
                time.sleep(0.01)
                continue
            for _ in range(min(200, count - len(held))):
                s = socket.socket()
                s.setblocking(False)
                try:
                    s.connect(("127.0.0.1", port))
                except BlockingIOError:
                    pass
                held.append(s)
        print(f"held {len(held)}", flush=True)
        sys.stdin.read()
        """

    @Test("with 10,000 idle connections open, a publish from another client is still answered")
    func tenThousandIdleConnections() async throws {
        let count = 10_000
        let options = SidecarOptions(extraArguments: ["--http-read-timeout", "5m"])
        try await withSidecar(options, subscriptions: #"[{"pubsubname": "pubsub", "topic": "flood", "route": "/flood"}]"#) { sidecar, app in
            let holder = Process()
            holder.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            holder.arguments = ["python3", "-c", Self.idleClientScript, String(sidecar.httpPort), String(sidecar.pid), String(count)]
            let output = OutputCapture()
            let input = ProcessLaunch.pipe()
            holder.standardOutput = output.pipe
            holder.standardInput = input
            holder.standardError = FileHandle.nullDevice
            try ProcessLaunch.run(holder)
            output.startReading()
            defer {
                try? input.fileHandleForWriting.close()
                holder.waitUntilExit()
            }
            try await poll(for: .seconds(120), "\(count) idle connections to be open") {
                output.text.contains("held \(count)") ? true : nil
            }
            try await poll(for: .seconds(60), "the sidecar to accept \(count) connections") {
                Self.openDescriptors(sidecar.pid) >= count ? true : nil
            }
            let response = try await sidecar.publish(topic: "flood", body: Array(#"{"n": 1}"#.utf8), contentType: "application/json")
            #expect(response.status == 204, sidecar.comment)
            try await app.waitFor("/flood", timeout: .seconds(60))
            #expect(sidecar.isRunning)
            // Let the sidecar see the 10,000 closes before the harness stops it within its 10 s.
            try? input.fileHandleForWriting.close()
            try await poll(every: .milliseconds(200), for: .seconds(60), "the sidecar to release the idle connections") {
                Self.openDescriptors(sidecar.pid) < 1_000 ? true : nil
            }
        }
    }

    @Test("the HTTP listener queues up to 4,096 connections not yet accepted (or the kernel's somaxconn, if lower)")
    func listenBacklog() async throws {
        try await withSidecar(SidecarOptions(connectApp: false)) { sidecar, _ in
            // `ss` shows a listening socket's backlog in its Send-Q column.
            let ss = Process()
            ss.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            ss.arguments = ["ss", "-Hltn", "sport = :\(sidecar.httpPort)"]
            let output = ProcessLaunch.pipe()
            ss.standardOutput = output
            try ProcessLaunch.run(ss)
            let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            ss.waitUntilExit()
            let somaxconn = Int((try String(contentsOfFile: "/proc/sys/net/core/somaxconn", encoding: .utf8)).trimmingCharacters(in: .whitespacesAndNewlines)) ?? 4096
            let backlogs = text.split(separator: "\n").compactMap { line in line.split(separator: " ").dropFirst(2).first.flatMap { Int($0) } }
            #expect(!backlogs.isEmpty, "ss printed no listener on port \(sidecar.httpPort): \(text)")
            for backlog in backlogs { #expect(backlog == min(4096, somaxconn), "\(text)") }
        }
    }

    @Test("a sidecar started with a low soft open-file limit raises it to the hard limit")
    func raisesOpenFileLimit() async throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        process.arguments = [
            "-c", #"ulimit -S -n 256 && exec "$0" "$@""#, try OutriggerBinary.require(), "run", "--app-id", "limits",
            "--dapr-http-port", String(Ports.allocate()), "--dapr-grpc-port", String(Ports.allocate()),
            "--metrics-port", String(Ports.allocate()),
        ]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try ProcessLaunch.run(process)
        defer {
            process.terminate()
            process.waitUntilExit()
        }
        let limits = try await poll(for: .seconds(60), "the sidecar to raise its open-file limit") { () -> (String, String)? in
            guard let limits = Self.openFileLimits(process.processIdentifier), limits.soft != "256" else { return nil }
            return limits
        }
        #expect(limits.0 == limits.1)
    }

    @Test("a gRPC client that stops halfway through the HTTP/2 preface is closed after the read timeout; one that sent it all stays")
    func stalledGRPCPreface() async throws {
        try await withSidecar(SidecarOptions(extraArguments: ["--http-read-timeout", "2s"], connectApp: false)) { sidecar, _ in
            let stalled = try RawConnection(port: try #require(sidecar.grpcPort))
            stalled.send("PRI * HTTP/2.0\r\n")
            // grpc-swift-nio-transport 2.9 alone keeps such a connection open for good (its idle
            // timer starts with HTTP/2); HTTP2PrefaceDeadline closes it after the read timeout.
            try await stalled.waitUntilClosed(within: .seconds(30), "the gRPC server to close a stalled preface")
            try await sidecar.mustPublish(topic: "after", json: "{}")

            // A client that completed its preface (sent in pieces) stays connected past the
            // read timeout: it still answers a PING after 3 s.
            let patient = try RawConnection(port: try #require(sidecar.grpcPort))
            patient.send("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n")
            patient.send([0, 0, 0, 4])
            patient.send([0, 0, 0, 0, 0])  // the rest of an empty SETTINGS frame
            try await Task.sleep(for: .seconds(3))
            let ping: [UInt8] = [0, 0, 8, 6, 0, 0, 0, 0, 0] + Array("outrigr!".utf8)
            #expect(patient.send(ping), "the server closed a connection that had sent its whole preface")
            let answer: [UInt8] = [0, 0, 8, 6, 1, 0, 0, 0, 0] + Array("outrigr!".utf8)
            _ = try await patient.read(within: .seconds(30), "the PING's acknowledgement") { bytes in
                bytes.count >= answer.count && (0...(bytes.count - answer.count)).contains { Array(bytes[$0..<($0 + answer.count)]) == answer }
            }
            patient.close()
        }
    }

    @Test("garbage or a cut-off HTTP/2 preface on the gRPC port is closed; a real preface still gets the server's SETTINGS")
    func grpcPreface() async throws {
        try await withSidecar(SidecarOptions(connectApp: false)) { sidecar, _ in
            let port = try #require(sidecar.grpcPort)
            let garbage = try RawConnection(port: port)
            garbage.send("GET / HTTP/1.1\r\nHost: x\r\n\r\n" + String(repeating: "\u{7}junk", count: 100))
            try await garbage.waitUntilClosed(within: .seconds(30), "the gRPC server to close a non-HTTP/2 client")
            let wrongPreface = try RawConnection(port: port)
            wrongPreface.send("PRI * HTTP/2.0\r\n\r\nXX\r\n\r\n" + String(repeating: "\0", count: 64))
            try await wrongPreface.waitUntilClosed(within: .seconds(30), "the gRPC server to close a bad preface")
            for _ in 0..<20 {
                let cutOff = try RawConnection(port: port)
                cutOff.send("PRI * HTTP/2")
                cutOff.close()
            }
            let real = try RawConnection(port: port)
            real.send("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n")
            real.send([0, 0, 0, 4, 0, 0, 0, 0, 0])  // an empty SETTINGS frame
            let answer = try await real.read(atLeast: 9, within: .seconds(10), "the gRPC server's SETTINGS frame")
            #expect(answer[3] == 4, "frame type \(answer[3]), expected SETTINGS")
            try await sidecar.mustPublish(topic: "after", json: "{}")
        }
    }
}
