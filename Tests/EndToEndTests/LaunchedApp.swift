import Foundation
import OutriggerTesting

/// A small Python program `outrigger run -- ...` launches in the command-line tests. It reports
/// its environment, and what its descriptors from 3 up are (`inherited`: none should be open),
/// to the test app on `$APP_PORT` (`POST /launched/env`), reports SIGTERM
/// (`POST /launched/sigterm`) before exiting 0, and in `exit-when-ready CODE` mode exits with CODE
/// by itself once the sidecar's `/v1.0/healthz` answers 204.
enum LaunchedApp {
    static let source = #"""
        import json, os, signal, sys, time, urllib.request

        APP = "http://127.0.0.1:" + os.environ["APP_PORT"]

        def post(path, payload):
            request = urllib.request.Request(APP + path, data=json.dumps(payload).encode(),
                                             headers={"Content-Type": "application/json"}, method="POST")
            urllib.request.urlopen(request, timeout=60).read()

        def on_term(signum, frame):
            post("/launched/sigterm", {"pid": os.getpid()})
            sys.exit(0)

        def inherited():
            found = {}
            for entry in os.listdir("/proc/self/fd"):
                if int(entry) > 2:
                    try:
                        found[entry] = os.readlink("/proc/self/fd/" + entry)
                    except OSError:
                        pass  # the listing's own descriptor, closed by now
            return found

        signal.signal(signal.SIGTERM, on_term)
        post("/launched/env", {"env": dict(os.environ), "argv": sys.argv[1:], "pid": os.getpid(), "inherited": inherited()})

        if sys.argv[1] == "exit-when-ready":
            health = "http://127.0.0.1:" + os.environ["DAPR_HTTP_PORT"] + "/v1.0/healthz"
            deadline = time.time() + 60
            while time.time() < deadline:
                try:
                    if urllib.request.urlopen(health, timeout=1).status == 204:
                        break
                except Exception:
                    pass
                time.sleep(0.05)
            sys.exit(int(sys.argv[2]))

        while True:
            time.sleep(1)
        """#

    /// The Python interpreter itself (not a version-manager shim, so signals reach Python).
    ///
    /// Debian's `/usr/bin/python3` when it is there. Otherwise Python is asked for
    /// `sys.executable`, its answer written to a file: reading a pipe to its end here once hung
    /// the whole test run, its write end held open by a process other tests started meanwhile,
    /// while this initializer blocked one of the two threads of the task pool and the other
    /// waited for it.
    static let python: String = {
        if FileManager.default.isExecutableFile(atPath: "/usr/bin/python3") { return "/usr/bin/python3" }
        let answer = FileManager.default.temporaryDirectory.appendingPathComponent("outrigger-python-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: answer) }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-c", "import sys; open(sys.argv[1], 'w').write(sys.executable)", answer]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        guard (try? ProcessLaunch.run(process)) != nil else { return "python3" }
        process.waitUntilExit()
        let path = (try? String(contentsOfFile: answer, encoding: .utf8))?.trimmingCharacters(in: .whitespacesAndNewlines) ?? ""
        return process.terminationStatus == 0 && !path.isEmpty ? path : "python3"
    }()

    /// Writes the program into `folder`; returns the command line to put after `--`.
    static func command(in folder: ResourceFolder, _ arguments: String...) throws -> [String] {
        let script = try folder.write("launched_app.py", source)
        return [python, script] + arguments
    }
}
