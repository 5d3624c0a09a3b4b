import Foundation

/// Number formats of the console log and the result table.
enum Format {
    /// `12.34 s`.
    static func seconds(_ value: Double) -> String {
        String(format: "%.2f s", value)
    }

    /// `850 ms` below ten seconds, else `12.3 s`.
    static func latency(_ value: Double) -> String {
        value < 10 ? String(format: "%.0f ms", value * 1000) : String(format: "%.1f s", value)
    }
}
