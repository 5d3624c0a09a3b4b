import Foundation
import OutriggerCore
import Synchronization

/// This process's standard output, shared by every app's and sidecar's output lines, so lines
/// of different programs never interleave mid-line.
final class Console: Sendable {
    private let lock = Mutex(())

    func write(_ line: [UInt8]) {
        lock.withLock { _ in
            line.withUnsafeBytes { bytes in
                var offset = 0
                while offset < bytes.count {
                    let written = Foundation.write(1, bytes.baseAddress! + offset, bytes.count - offset)
                    if written <= 0 { break }
                    offset += written
                }
            }
        }
    }
}

/// Reads a child program's output line by line on a thread of its own and writes each line to
/// its log file and/or the console, prefixed with a label there (`== APP - orders == ...`).
enum OutputPump {
    /// Starts the pump; returns the write end of its pipe, for the child (close it afterwards).
    static func start(label: String, destination: RunTemplate.LogDestination, file: String, console: Console) throws -> Int32 {
        var fds: [Int32] = [0, 0]
        guard pipe(&fds) == 0 else { throw MultiAppRunError("cannot create a pipe: \(String(cString: strerror(errno)))") }
        let (readEnd, writeEnd) = (fds[0], fds[1])
        // The read end must not leak into children launched later: they would keep it open.
        _ = fcntl(readEnd, F_SETFD, FD_CLOEXEC)
        _ = fcntl(writeEnd, F_SETFD, FD_CLOEXEC)
        var log: FileHandle?
        if destination != .console {
            _ = FileManager.default.createFile(atPath: file, contents: nil)
            log = FileHandle(forWritingAtPath: file)
        }
        let toConsole = destination != .file
        let prefix = Array((label + " ").utf8)
        let logFile = log
        Thread.detachNewThread {
            var pending: [UInt8] = []
            var buffer = [UInt8](repeating: 0, count: 16 << 10)
            while true {
                let count = buffer.withUnsafeMutableBytes { read(readEnd, $0.baseAddress, $0.count) }
                if count < 0, errno == EINTR { continue }
                if count <= 0 { break }
                pending.append(contentsOf: buffer[0..<count])
                while let newline = pending.firstIndex(of: UInt8(ascii: "\n")) {
                    let line = Array(pending[...newline])
                    pending.removeSubrange(...newline)
                    logFile?.write(Data(line))
                    if toConsole { console.write(prefix + line) }
                }
            }
            if !pending.isEmpty {
                pending.append(UInt8(ascii: "\n"))
                logFile?.write(Data(pending))
                if toConsole { console.write(prefix + pending) }
            }
            try? logFile?.close()
            close(readEnd)
        }
        return writeEnd
    }
}

/// Loopback ports for sidecars whose template gives none.
enum FreePort {
    /// A free port above Linux's ephemeral range (32768–60999): a port picked inside it could
    /// be taken by any outgoing connection before the sidecar binds it (seen on a busy
    /// machine), one picked here only by another listener.
    static let range = 61_000..<65_000

    static func pick() throws -> Int {
        for _ in 0..<200 {
            let port = Int.random(in: range)
            if TCPPortCheck.isFree(port: port) { return port }
        }
        throw MultiAppRunError("cannot find a free port in \(range.lowerBound)-\(range.upperBound - 1) for a sidecar; give daprHTTPPort, daprGRPCPort and metricsPort in the template")
    }

    /// Waits until something accepts connections on `port` (true), or `alive()` turns false.
    static func waitUntilListening(_ port: Int, while alive: () -> Bool) async -> Bool {
        while alive() {
            if TCPPortCheck.accepts(port: port) { return true }
            try? await Task.sleep(for: .milliseconds(20))
        }
        return false
    }
}
