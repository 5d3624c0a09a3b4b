#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// A failed file-system call, from its `errno`.
struct FileSystemError: Error, Sendable, CustomStringConvertible {
    var code: Int32

    init(_ code: Int32) {
        self.code = code
    }

    /// The error of the call that just failed.
    static var last: FileSystemError { FileSystemError(errno) }

    /// The system's text, lower-cased as Go prints it (`no such file or directory`).
    var description: String {
        guard let text = strerror(code) else { return "error \(code)" }
        let message = String(cString: text)
        return message.prefix(1).lowercased() + message.dropFirst()
    }

    var isNotFound: Bool { code == ENOENT }

    /// Whether the same call may succeed later (the disk or the process is short of something).
    var isRetriable: Bool {
        [EINTR, EAGAIN, EBUSY, EIO, ENOSPC, EMFILE, ENFILE, ENOMEM, EDQUOT].contains(code)
    }
}
