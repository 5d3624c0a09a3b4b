import CloudEvents
import Foundation

/// The sidecars running on this machine, as `outrigger list`, `publish`, `invoke-binding` and
/// `stop` find them: each running sidecar keeps one small JSON file in the runtime directory
/// while it runs and removes it when it stops.
///
/// The directory is `$OUTRIGGER_RUNTIME_DIR`, else `$XDG_RUNTIME_DIR/outrigger`, else
/// `~/.outrigger/run`. A file whose process is gone (a sidecar ended by SIGKILL) is ignored and
/// removed by the next ``list()``; the process's start time is recorded too, so a recycled pid
/// is not mistaken for the sidecar.
///
/// ```swift
/// let running = RunningSidecars()
/// let orders = try running.list().first { $0.appID == "orders" }
/// ```
public struct RunningSidecars: Sendable {
    /// What one running sidecar records about itself.
    public struct Record: Codable, Sendable, Equatable {
        public var appID: String
        public var httpPort: Int
        public var grpcPort: Int
        public var appPort: Int?
        public var metricsPort: Int
        public var pid: Int32
        /// Seconds since 1970 when the sidecar started.
        public var started: Double
        /// The launched app's command line; empty when the sidecar runs alone.
        public var command: [String]
        public var resourcesPaths: [String]
        /// The process's start time in clock ticks after boot (`/proc/<pid>/stat` field 22).
        public var processStart: UInt64?

        public init(configuration: SidecarConfiguration, pid: Int32, started: Double, processStart: UInt64?) {
            appID = configuration.appID
            httpPort = configuration.httpPort
            grpcPort = configuration.grpcPort
            appPort = configuration.appPort
            metricsPort = configuration.metricsPort
            self.pid = pid
            self.started = started
            command = configuration.command
            resourcesPaths = configuration.resourcesPaths
            self.processStart = processStart
        }
    }

    public let directory: String

    public init(environment: [String: String] = ProcessInfo.processInfo.environment) {
        if let explicit = environment["OUTRIGGER_RUNTIME_DIR"], !explicit.isEmpty {
            directory = explicit
        } else if let runtime = environment["XDG_RUNTIME_DIR"], !runtime.isEmpty {
            directory = runtime + "/outrigger"
        } else {
            directory = (environment["HOME"] ?? NSHomeDirectory()) + "/.outrigger/run"
        }
    }

    /// Writes this process's record; returns the file, for ``remove(_:)``.
    public func register(_ record: Record) throws -> String {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let file = "\(directory)/\(Self.fileName(record.appID))-\(record.pid).json"
        try Self.writeWhole(record.json, to: file)
        return file
    }

    /// Writes `bytes` under a temporary name beside `file` and renames it there, so a reader never
    /// sees half a record. Not synced to disk (Foundation's atomic write is, at about a millisecond
    /// of start-up): a record lives only while its process runs, and one of a process that is
    /// gone is ignored.
    static func writeWhole(_ bytes: [UInt8], to file: String) throws {
        let temporary = "\(file).\(getpid()).partial"
        let descriptor = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else { throw POSIXError(errno: errno) }
        var written = 0
        while written < bytes.count {
            let result = bytes.withUnsafeBytes { write(descriptor, $0.baseAddress! + written, bytes.count - written) }
            if result < 0, errno == EINTR { continue }
            guard result > 0 else {
                let failure = POSIXError(errno: errno)
                close(descriptor)
                unlink(temporary)
                throw failure
            }
            written += result
        }
        close(descriptor)
        guard rename(temporary, file) == 0 else {
            let failure = POSIXError(errno: errno)
            unlink(temporary)
            throw failure
        }
    }

    /// Removes a record written by ``register(_:)``.
    public func remove(_ file: String) {
        try? FileManager.default.removeItem(atPath: file)
    }

    /// The sidecars running now, oldest first; records of processes that are gone are removed.
    public func list() -> [Record] {
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: directory) else { return [] }
        var running: [Record] = []
        for name in names where name.hasSuffix(".json") {
            let file = directory + "/" + name
            guard let data = FileManager.default.contents(atPath: file),
                  let record = try? JSONDecoder().decode(Record.self, from: data)
            else { continue }
            if Self.isRunning(record) {
                running.append(record)
            } else {
                remove(file)
            }
        }
        return running.sorted { ($0.started, $0.pid) < ($1.started, $1.pid) }
    }

    /// The running sidecars of `appID`.
    public func find(appID: String) -> [Record] { list().filter { $0.appID == appID } }

    /// This process's start time, recorded so a recycled pid is recognised.
    public static func processStart(of pid: Int32) -> UInt64? {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
              let end = stat.lastIndex(of: ")")
        else { return nil }
        // Fields after the command name (which may hold spaces) start at field 3; starttime is 22.
        let fields = stat[stat.index(after: end)...].split(separator: " ")
        return fields.count > 19 ? UInt64(fields[19]) : nil
    }

    /// Whether the recorded process still runs, and is still that sidecar (not a recycled pid).
    public static func isRunning(_ record: Record) -> Bool {
        guard kill(record.pid, 0) == 0 || errno == EPERM else { return false }
        guard let recorded = record.processStart else { return true }
        return processStart(of: record.pid) == recorded
    }

    /// An app id as a file name: anything but letters, digits, '-', '_' and '.' becomes '_'.
    static func fileName(_ appID: String) -> String {
        String(appID.map { $0.isLetter || $0.isNumber || "-_.".contains($0) ? $0 : "_" })
    }
}

extension RunningSidecars.Record {
    /// The record as ``RunningSidecars/list()`` decodes it (the members Codable names, an absent
    /// optional left out), written without JSONEncoder: the sidecar writes it on its way to
    /// serving, and the encoder's first use there cost about 2 ms of start-up.
    var json: [UInt8] {
        func number(_ value: some BinaryInteger) -> JSONValue { .number(String(value)) }
        var members: [(key: String, value: JSONValue)] = [
            ("appID", .string(appID)),
            ("command", .array(command.map(JSONValue.string))),
            ("grpcPort", number(grpcPort)),
            ("httpPort", number(httpPort)),
            ("metricsPort", number(metricsPort)),
            ("pid", number(pid)),
            ("resourcesPaths", .array(resourcesPaths.map(JSONValue.string))),
            ("started", started.isFinite ? .number(String(started)) : .number("0")),
        ]
        if let appPort { members.append(("appPort", number(appPort))) }
        if let processStart { members.append(("processStart", number(processStart))) }
        return JSONValue.object(JSONObject(members)).serialized()
    }
}

extension POSIXError {
    init(errno code: Int32) {
        self.init(POSIXErrorCode(rawValue: code) ?? .EIO)
    }
}
