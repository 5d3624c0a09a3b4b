import OutriggerCore

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// A request's `fileName`, resolved to a place inside the binding's root directory.
///
/// Refused with ``InvalidBindingRequest`` (400): a NUL byte, an absolute path, any `..`
/// component, and a symlink anywhere along the path whose target lies outside the root (or
/// cannot be resolved). Symlinks that stay inside the root are followed, and the result is
/// the path with them resolved, so ``components`` name no symlink. Empty and `.` components
/// are dropped. Names are compared byte by byte, never by Unicode equivalence, as the kernel
/// sees them.
struct ConfinedPath: Sendable, Equatable {
    /// The path below the root, one directory or file name each; empty for the root itself.
    var components: [String]

    /// `a/b/c.txt`, relative to the root.
    var relative: String { components.joined(separator: "/") }

    /// The absolute path, given the root's canonical path.
    func absolute(root: String) -> String {
        guard !components.isEmpty else { return root }
        return (root == "/" ? "" : root) + "/" + relative
    }

    /// Resolves `fileName` below `root`, the canonical path of an existing directory.
    ///
    /// Blocks (`lstat`, `realpath`): call it off Swift's cooperative pool.
    init(resolving fileName: String, root: String) throws {
        let bytes = Array(fileName.utf8)
        guard !bytes.contains(0) else {
            throw InvalidBindingRequest("fileName must not contain a NUL byte")
        }
        guard bytes.first != UInt8(ascii: "/") else {
            throw InvalidBindingRequest("fileName '\(fileName)' is an absolute path; give a path relative to the binding's rootPath")
        }
        let parts = bytes.split(separator: UInt8(ascii: "/")).filter { !$0.elementsEqual([UInt8(ascii: ".")]) }
        guard !parts.contains(where: { $0.elementsEqual([UInt8(ascii: "."), UInt8(ascii: ".")]) }) else {
            throw InvalidBindingRequest("fileName '\(fileName)' contains a '..' component; it must stay inside the binding's rootPath")
        }
        let names = parts.map { String(decoding: $0, as: UTF8.self) }

        var resolved: [String] = []
        for (index, name) in names.enumerated() {
            let path = ConfinedPath(components: resolved + [name]).absolute(root: root)
            var info = stat()
            if lstat(path, &info) != 0 {
                let failure = FileSystemError.last
                // Nothing exists from here on, so nothing further can be a symlink; ENOTDIR
                // (a file used as a directory) fails when the operation runs.
                if failure.isNotFound || failure.code == ENOTDIR {
                    resolved += names[index...]
                    break
                }
                throw failure
            }
            guard info.st_mode & S_IFMT == S_IFLNK else {
                resolved.append(name)
                continue
            }
            let link = ConfinedPath(components: resolved + [name]).relative
            guard let target = Self.realPath(path) else {
                throw InvalidBindingRequest("fileName '\(fileName)': '\(link)' is a symlink whose target cannot be resolved")
            }
            guard let inside = Self.components(of: target, below: root) else {
                throw InvalidBindingRequest("fileName '\(fileName)': '\(link)' is a symlink to a place outside the binding's rootPath")
            }
            resolved = inside
        }
        components = resolved
    }

    init(components: [String]) {
        self.components = components
    }

    /// `path` with every symlink resolved; `nil` when some part of it does not exist.
    static func realPath(_ path: String) -> String? {
        guard let resolved = realpath(path, nil) else { return nil }
        defer { free(resolved) }
        return String(cString: resolved)
    }

    /// The components of `path` below `root` (both canonical), or `nil` when it is not inside.
    static func components(of path: String, below root: String) -> [String]? {
        let pathBytes = Array(path.utf8)
        let rootBytes = Array(root.utf8)
        if pathBytes == rootBytes { return [] }
        let prefix = rootBytes.last == UInt8(ascii: "/") ? rootBytes : rootBytes + [UInt8(ascii: "/")]
        guard pathBytes.starts(with: prefix) else { return nil }
        return pathBytes[prefix.count...].split(separator: UInt8(ascii: "/")).map { String(decoding: $0, as: UTF8.self) }
    }
}
