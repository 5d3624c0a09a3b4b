import CloudEvents
import Dispatch
import OutriggerCore

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// `bindings.localstorage`: an output binding that reads and writes files below a root
/// directory, with Dapr's operations and answers.
///
/// Metadata: `rootPath` (required): the directory, created with its parents when missing; a
/// relative path is taken from the working directory. Operations, with the request metadata
/// `fileName` (a path relative to the root):
/// - `create`: writes the request data to `fileName` (a random UUID when absent), creating
///   directories on the way; data that is a Go/JSON string literal is unquoted, then data that
///   reads as base64 is decoded, as Dapr does. Answers `{"fileName":"<path below the root>"}`.
/// - `get`: answers the file's bytes; a missing file is the binding's failure (500).
/// - `list`: answers a JSON array of the absolute paths of every file below `fileName` (the
///   root when absent), recursively, in name order.
/// - `delete`: removes the file (or empty directory); answers no data.
///
/// A `fileName` that would leave the root (`..`, an absolute path, a symlink pointing outside,
/// a NUL byte) is refused with ``InvalidBindingRequest`` and nothing is read or written.
/// File work runs on the binding's own dispatch queue, one request at a time.
public final class LocalStorageBinding: OutputBinding {
    /// The registry entry for `bindings.localstorage`.
    public static let descriptor = ComponentDescriptor(
        type: "bindings.localstorage",
        summary: "Reads and writes files below a root directory"
    ) { metadata in
        try LocalStorageBinding(metadata: metadata)
    }

    /// The request metadata naming the file.
    public static let fileNameKey = "fileName"

    /// The canonical path of the root directory (symlinks resolved).
    public let rootPath: String
    private let queue: DispatchQueue

    /// `create`, `get`, `list`, `delete`, as Dapr's.
    public var operations: [String] { ["create", "get", "list", "delete"] }

    /// Checks `rootPath` and creates the directory; a missing or unusable one throws naming
    /// the field.
    public init(metadata: ComponentMetadata) throws(ComponentConfigurationError) {
        let configured = try metadata.required("rootPath")
        rootPath = try LocalStorageRoot.prepare(configured, component: metadata.name)
        queue = DispatchQueue(label: "outrigger.bindings.localstorage.\(metadata.name)")
    }

    /// Runs one operation on the binding's queue. Throws ``InvalidBindingRequest`` for a
    /// refused `fileName`, ``ComponentError`` for a file-system failure (retriable when the
    /// disk or process was short of something, terminal otherwise).
    public func invoke(_ request: BindingRequest) async throws -> BindingResponse {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<BindingResponse, any Error>) in
            queue.async {
                continuation.resume(with: Result { try self.perform(request) })
            }
        }
    }

    /// Nothing to release: every file is closed when its operation ends.
    public func close() async throws {}

    private func perform(_ request: BindingRequest) throws -> BindingResponse {
        let given = request.metadata[Self.fileNameKey] ?? ""
        switch request.operation {
        case "create":
            return try create(given.isEmpty ? Envelope.newID() : given, data: request.data)
        case "get":
            return try get(try required(given, for: "get"))
        case "list":
            return try list(given)
        case "delete":
            return try delete(try required(given, for: "delete"))
        default:
            throw InvalidBindingRequest("unsupported operation \(request.operation)")
        }
    }

    private func required(_ fileName: String, for operation: String) throws -> String {
        guard !fileName.isEmpty else {
            throw InvalidBindingRequest("\(operation) needs the file's path in metadata '\(Self.fileNameKey)'")
        }
        return fileName
    }

    private func create(_ fileName: String, data: [UInt8]) throws -> BindingResponse {
        let path = try resolve(fileName)
        guard let name = path.components.last else {
            throw InvalidBindingRequest("fileName '\(fileName)' names the binding's rootPath itself, not a file")
        }
        let absolute = path.absolute(root: rootPath)
        do {
            let directory = try DirectoryHandle.open(path: rootPath).descend(path.components.dropLast(), create: true)
            try directory.writeFile(name, Self.storedBytes(data))
        } catch {
            throw Self.failure("error creating file \(absolute)", error)
        }
        return BindingResponse(data: JSONValue.object(["fileName": .string(path.relative)]).serialized())
    }

    private func get(_ fileName: String) throws -> BindingResponse {
        let path = try resolve(fileName)
        let absolute = path.absolute(root: rootPath)
        do {
            // The root itself is a directory: reading it fails like reading any directory.
            guard let name = path.components.last else { throw FileSystemError(EISDIR) }
            let directory = try DirectoryHandle.open(path: rootPath).descend(path.components.dropLast(), create: false)
            return BindingResponse(data: try directory.readFile(name))
        } catch let error as FileSystemError where error.isNotFound {
            throw ComponentError(.terminal, "file not found: \(absolute)")
        } catch {
            throw Self.failure("error reading file \(absolute)", error)
        }
    }

    private func list(_ fileName: String) throws -> BindingResponse {
        let path = try resolve(fileName)
        let absolute = path.absolute(root: rootPath)
        do {
            let root = try DirectoryHandle.open(path: rootPath)
            if let name = path.components.last {
                let isDirectory = try root.descend(path.components.dropLast(), create: false).isDirectory(name)
                guard isDirectory else { throw ComponentError(.terminal, "unable to list files as the file specified is not a directory: \(absolute)") }
            }
            let files = try root.descend(path.components, create: false).files(prefix: absolute == "/" ? "" : absolute)
            return BindingResponse(data: JSONValue.array(files.map(JSONValue.string)).serialized())
        } catch let error as ComponentError {
            throw error
        } catch {
            throw Self.failure("error listing files in \(absolute)", error)
        }
    }

    private func delete(_ fileName: String) throws -> BindingResponse {
        let path = try resolve(fileName)
        guard let name = path.components.last else {
            throw InvalidBindingRequest("fileName '\(fileName)' names the binding's rootPath itself, not a file")
        }
        let absolute = path.absolute(root: rootPath)
        do {
            try DirectoryHandle.open(path: rootPath).descend(path.components.dropLast(), create: false).remove(name)
        } catch {
            throw Self.failure("error deleting file \(absolute)", error)
        }
        return BindingResponse()
    }

    /// `fileName` confined to the root; a file-system error on the way is reported like the
    /// operation's own.
    private func resolve(_ fileName: String) throws -> ConfinedPath {
        do {
            return try ConfinedPath(resolving: fileName, root: rootPath)
        } catch let error as FileSystemError {
            throw Self.failure("error resolving fileName '\(fileName)'", error)
        }
    }

    /// What `create` writes: the data unquoted when it is one Go string literal, then
    /// base64-decoded when it reads as base64 (Dapr's order).
    static func storedBytes(_ data: [UInt8]) -> [UInt8] {
        let unquoted = GoStringLiteral.unquote(data) ?? data
        return Base64Text.decode(unquoted) ?? unquoted
    }

    /// A file-system error as the binding reports it: a symlink met on the way (swapped in
    /// after the path was checked) is a refused request; the rest say whether to retry.
    private static func failure(_ context: String, _ error: any Error) -> any Error {
        guard let error = error as? FileSystemError else { return error }
        switch error.code {
        case ELOOP: return InvalidBindingRequest("\(context): a symlink is in the way")
        case ENAMETOOLONG: return InvalidBindingRequest("\(context): \(error)")
        default: break
        }
        return ComponentError(error.isRetriable ? .retriable : .terminal, "\(context): \(error)")
    }
}
