#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// An open directory; the descriptor is closed when the handle goes away.
///
/// Subdirectories and files are opened relative to it with `O_NOFOLLOW`, so a walk down from
/// the root never passes through a symlink, even one put in place after the path was checked.
/// Every call blocks: use it off Swift's cooperative pool.
final class DirectoryHandle {
    let descriptor: Int32

    private init(descriptor: Int32) {
        self.descriptor = descriptor
    }

    deinit {
        close(descriptor)
    }

    /// Opens the directory at `path`, an absolute path.
    static func open(path: String) throws(FileSystemError) -> DirectoryHandle {
        let descriptor = path.withCString { systemOpen($0, O_RDONLY | O_DIRECTORY | O_CLOEXEC) }
        guard descriptor >= 0 else { throw .last }
        return DirectoryHandle(descriptor: descriptor)
    }

    /// The directory at `components` below this one, creating missing ones (mode 0777 less
    /// the umask) when `create` is set. A symlink on the way fails with `ELOOP` or `ENOTDIR`.
    func descend(_ components: some Sequence<String>, create: Bool) throws(FileSystemError) -> DirectoryHandle {
        var current = self
        for name in components {
            if create, mkdirat(current.descriptor, name, 0o777) != 0, errno != EEXIST { throw .last }
            let next = openat(current.descriptor, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
            guard next >= 0 else { throw .last }
            current = DirectoryHandle(descriptor: next)
        }
        return current
    }

    /// Replaces (or creates, mode 0666 less the umask) the file `name` with `data`.
    func writeFile(_ name: String, _ data: [UInt8]) throws(FileSystemError) {
        let file = openat(descriptor, name, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0o666)
        guard file >= 0 else { throw .last }
        var failure: FileSystemError?
        data.withUnsafeBytes { bytes in
            var offset = 0
            while offset < bytes.count {
                let written = write(file, bytes.baseAddress! + offset, bytes.count - offset)
                if written < 0 {
                    if errno == EINTR { continue }
                    failure = .last
                    return
                }
                offset += written
            }
        }
        if close(file) != 0, failure == nil { failure = .last }
        if let failure { throw failure }
    }

    /// The contents of the regular file `name`.
    func readFile(_ name: String) throws(FileSystemError) -> [UInt8] {
        let file = openat(descriptor, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC)
        guard file >= 0 else { throw .last }
        defer { close(file) }
        var info = stat()
        guard fstat(file, &info) == 0 else { throw .last }
        guard info.st_mode & S_IFMT != S_IFDIR else { throw FileSystemError(EISDIR) }
        var contents: [UInt8] = []
        contents.reserveCapacity(Int(info.st_size))
        var chunk = [UInt8](repeating: 0, count: 64 * 1024)
        while true {
            let count = chunk.withUnsafeMutableBytes { read(file, $0.baseAddress, $0.count) }
            if count < 0 {
                if errno == EINTR { continue }
                throw .last
            }
            if count == 0 { return contents }
            contents.append(contentsOf: chunk[0..<count])
        }
    }

    /// Removes the file, symlink or empty directory `name`.
    func remove(_ name: String) throws(FileSystemError) {
        var info = stat()
        guard fstatat(descriptor, name, &info, AT_SYMLINK_NOFOLLOW) == 0 else { throw .last }
        let flags = info.st_mode & S_IFMT == S_IFDIR ? AT_REMOVEDIR : 0
        guard unlinkat(descriptor, name, flags) == 0 else { throw .last }
    }

    /// Whether `name` is a directory (not following a symlink); throws when it does not exist.
    func isDirectory(_ name: String) throws(FileSystemError) -> Bool {
        var info = stat()
        guard fstatat(descriptor, name, &info, AT_SYMLINK_NOFOLLOW) == 0 else { throw .last }
        return info.st_mode & S_IFMT == S_IFDIR
    }

    /// Every entry below this directory that is not a directory, as `prefix/relative/path`,
    /// depth first in byte order of the names; symlinks are listed, not followed.
    func files(prefix: String) throws(FileSystemError) -> [String] {
        var found: [String] = []
        for name in try names() {
            let path = prefix + "/" + name
            if try isDirectory(name) {
                found += try descend([name], create: false).files(prefix: path)
            } else {
                found.append(path)
            }
        }
        return found
    }

    /// The names in this directory, without `.` and `..`, in byte order.
    private func names() throws(FileSystemError) -> [String] {
        let copy = dup(descriptor)
        guard copy >= 0 else { throw .last }
        guard let stream = fdopendir(copy) else {
            let failure = FileSystemError.last
            close(copy)
            throw failure
        }
        defer { closedir(stream) }
        rewinddir(stream)
        var names: [String] = []
        while let entry = readdir(stream) {
            let name = withUnsafePointer(to: entry.pointee.d_name) {
                String(cString: UnsafeRawPointer($0).assumingMemoryBound(to: CChar.self))
            }
            if name != "." && name != ".." { names.append(name) }
        }
        return names.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
    }
}

/// `open(2)`, under a name that does not clash with ``DirectoryHandle/open(path:)``.
private func systemOpen(_ path: UnsafePointer<CChar>, _ flags: Int32) -> Int32 {
    open(path, flags)
}
