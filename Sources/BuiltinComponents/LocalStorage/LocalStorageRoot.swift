import OutriggerCore

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// The `rootPath` of a `bindings.localstorage` component, checked and created at start-up.
enum LocalStorageRoot {
    /// Places no root may be in (their contents are the system's, or mounted secrets).
    static let disallowed = ["/proc", "/sys", "/boot", "/var/run/secrets", "/run/secrets"]

    /// Makes `rootPath` absolute (relative to the working directory), resolves the symlinks of
    /// the part that exists, refuses a file or a disallowed place, creates the directory (mode
    /// 0777 less the umask) with its parents, and returns its canonical path.
    static func prepare(_ rootPath: String, component: String) throws(ComponentConfigurationError) -> String {
        func failure(_ reason: String) -> ComponentConfigurationError {
            ComponentConfigurationError(component: component, field: "rootPath", reason: reason)
        }
        guard !rootPath.utf8.contains(0) else { throw failure("must not contain a NUL byte") }
        let absolute = rootPath.hasPrefix("/") ? rootPath : workingDirectory() + "/" + rootPath
        let cleaned = clean(absolute)

        // The deepest part that exists, symlinks resolved; the rest is created below it.
        var existing = cleaned
        var missing: [String] = []
        while true {
            var info = stat()
            if stat(existing, &info) == 0 {
                guard info.st_mode & S_IFMT == S_IFDIR else {
                    throw failure("'\(rootPath)': \(existing) is a file, not a directory")
                }
                break
            }
            let error = FileSystemError.last
            guard error.isNotFound, existing != "/" else {
                throw failure("'\(rootPath)': \(existing): \(error)")
            }
            missing.insert(String(existing.split(separator: "/").last ?? ""), at: 0)
            existing = parent(of: existing)
        }
        guard let resolvedExisting = ConfinedPath.realPath(existing) else {
            throw failure("'\(rootPath)': \(existing) cannot be resolved: \(FileSystemError.last)")
        }
        let resolved = ([resolvedExisting == "/" ? "" : resolvedExisting] + missing).joined(separator: "/")

        for place in disallowed {
            for candidate in [cleaned, resolved] where candidate == place || candidate.hasPrefix(place + "/") {
                throw failure("'\(rootPath)' is inside \(place), where a binding may not write")
            }
        }

        var path = resolvedExisting == "/" ? "" : resolvedExisting
        for name in missing {
            path += "/" + name
            if mkdir(path, 0o777) != 0, errno != EEXIST {
                throw failure("'\(rootPath)': cannot create \(path): \(FileSystemError.last)")
            }
        }
        guard let canonical = ConfinedPath.realPath(resolved.isEmpty ? "/" : resolved) else {
            throw failure("'\(rootPath)' cannot be resolved after creating it: \(FileSystemError.last)")
        }
        var info = stat()
        guard stat(canonical, &info) == 0, info.st_mode & S_IFMT == S_IFDIR else {
            throw failure("'\(rootPath)' is not a directory")
        }
        return canonical
    }

    /// `path` without empty and `.` components, `..` taking one away (never above `/`).
    static func clean(_ path: String) -> String {
        var parts: [Substring] = []
        for part in path.split(separator: "/") {
            switch part {
            case ".": continue
            case "..": _ = parts.popLast()
            default: parts.append(part)
            }
        }
        return "/" + parts.joined(separator: "/")
    }

    private static func parent(of path: String) -> String {
        let parts = path.split(separator: "/").dropLast()
        return "/" + parts.joined(separator: "/")
    }

    private static func workingDirectory() -> String {
        guard let directory = getcwd(nil, 0) else { return "" }
        defer { free(directory) }
        return String(cString: directory)
    }
}
