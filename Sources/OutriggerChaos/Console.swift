import Foundation

/// The runner's console: each line written at once (no stdio buffer), so progress shows as it
/// happens when the output goes to a file or a pipe.
public enum Console {
    /// Writes `text` and a newline to standard output.
    public static func line(_ text: String) {
        FileHandle.standardOutput.write(Data((text + "\n").utf8))
    }
}
