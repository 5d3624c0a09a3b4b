#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The `RESULT {json}` line the bench scripts read.
enum ResultLine {
    /// `RESULT {"name":value,...}`; each value is already JSON (a number or a quoted string).
    static func render(_ fields: [(String, String)]) -> String {
        "RESULT {" + fields.map { "\"\($0.0)\":\($0.1)" }.joined(separator: ",") + "}"
    }
}

extension String {
    /// `value` with three decimals, without Foundation.
    init(format3 value: Double) {
        let thousandths = Int64((value * 1000).rounded())
        let fraction = String(abs(thousandths) % 1000)
        self = "\(thousandths / 1000).\(String(repeating: "0", count: 3 - fraction.count))\(fraction)"
    }
}

/// Writes `text` and a newline to standard error.
func printToStandardError(_ text: String) {
    writeLine(text, to: 2)
}

/// Writes `text` and a newline to file descriptor `fd` at once (no buffer to flush: a line a bench
/// script waits for is there even when the process is killed right after).
func writeLine(_ text: String, to fd: Int32) {
    var line = text + "\n"
    line.withUTF8 { bytes in _ = write(fd, bytes.baseAddress, bytes.count) }
}
