import CloudEvents
import Foundation
import Logging
import OutriggerRuntime

/// `--log-as-json`: one JSON object per line on standard error, with daprd's field names
/// (`time`, `level`, `type`, `msg`, `scope`, `app_id`, `instance`, `ver`) and the event's
/// metadata as further string fields.
struct JSONLogHandler: LogHandler {
    let label: String
    let appID: String
    var logLevel: Logger.Level
    var metadata: Logger.Metadata = [:]
    var metadataProvider: Logger.MetadataProvider?

    /// The host name as `gethostname` has it (daprd's `os.Hostname()`). Not Foundation's
    /// `ProcessInfo.hostName`, which resolves the name and could hold the first log line (on an
    /// event loop or the cooperative pool) for a DNS timeout.
    static let instance: String = {
        var name = [CChar](repeating: 0, count: 256)
        guard gethostname(&name, name.count - 1) == 0 else { return "localhost" }
        return String(decoding: name.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }()
    private static let lock = NSLock()

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        var fields: [(String, String)] = [
            ("time", Self.timestamp()), ("level", Self.name(of: event.level)), ("type", "log"), ("msg", "\(event.message)"),
            ("scope", label), ("app_id", appID), ("instance", Self.instance), ("ver", RuntimeVersion.current),
        ]
        var merged = metadata.merging(metadataProvider?.get() ?? [:]) { $1 }
        if let extra = event.metadata { merged.merge(extra) { $1 } }
        let reserved = Set(fields.map(\.0))
        for (key, value) in merged.sorted(by: { $0.key < $1.key }) where !reserved.contains(key) {
            fields.append((key, "\(value)"))
        }
        var line: [UInt8] = [UInt8(ascii: "{")]
        for (index, (key, value)) in fields.enumerated() {
            if index > 0 { line.append(UInt8(ascii: ",")) }
            JSONText.appendString(key, to: &line)
            line.append(UInt8(ascii: ":"))
            JSONText.appendString(value, to: &line)
        }
        line.append(contentsOf: "}\n".utf8)
        Self.lock.lock()
        defer { Self.lock.unlock() }
        // One write(2) per line, so lines of concurrent events never interleave.
        line.withUnsafeBytes { bytes in
            var offset = 0
            while offset < bytes.count {
                let written = write(2, bytes.baseAddress! + offset, bytes.count - offset)
                if written <= 0 { break }
                offset += written
            }
        }
    }

    static func name(of level: Logger.Level) -> String {
        switch level {
        case .trace, .debug: "debug"
        case .info, .notice: "info"
        case .warning: "warning"
        case .error: "error"
        case .critical: "fatal"
        }
    }

    /// RFC 3339 with milliseconds, UTC.
    static func timestamp() -> String {
        var now = timespec()
        clock_gettime(CLOCK_REALTIME, &now)
        var parts = tm()
        var seconds = now.tv_sec
        gmtime_r(&seconds, &parts)
        return String(
            format: "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", parts.tm_year + 1900, parts.tm_mon + 1, parts.tm_mday,
            parts.tm_hour, parts.tm_min, parts.tm_sec, Int(now.tv_nsec / 1_000_000))
    }
}
