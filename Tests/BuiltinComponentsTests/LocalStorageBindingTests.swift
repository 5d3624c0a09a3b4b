import BuiltinComponents
import Foundation
import OutriggerCore
import Testing

/// A local storage binding over a fresh temporary root.
private struct Storage {
    let directory: TemporaryDirectory
    let binding: LocalStorageBinding

    /// The root is `root/` inside the temporary directory, so tests can check nothing is
    /// written next to it.
    init() throws {
        directory = try TemporaryDirectory()
        binding = try LocalStorageBinding(metadata: ComponentMetadata(
            name: "files", type: "bindings.localstorage", properties: ["rootPath": directory.path + "/root"]))
    }

    var root: String { directory.path + "/root" }

    func invoke(_ operation: String, _ data: String = "", fileName: String? = nil) async throws -> BindingResponse {
        try await binding.invoke(BindingRequest(
            operation: operation, data: Array(data.utf8), metadata: fileName.map { ["fileName": $0] } ?? [:]))
    }

    func text(_ response: BindingResponse) -> String { String(decoding: response.data, as: UTF8.self) }
}

@Suite("bindings.localstorage: operations")
struct LocalStorageBindingTests {
    @Test("create, get, list and delete round-trip a file")
    func roundTrip() async throws {
        let storage = try Storage()
        let created = try await storage.invoke("create", "Hello World", fileName: "hello.txt")
        #expect(storage.text(created) == #"{"fileName":"hello.txt"}"#)
        #expect(storage.directory.read("root/hello.txt") == "Hello World")
        #expect(storage.text(try await storage.invoke("get", fileName: "hello.txt")) == "Hello World")
        #expect(storage.text(try await storage.invoke("list")) == #"["\#(storage.root)/hello.txt"]"#)
        let deleted = try await storage.invoke("delete", fileName: "hello.txt")
        #expect(deleted.data.isEmpty)
        #expect(!storage.directory.exists("root/hello.txt"))
    }

    @Test("create writes through missing directories and answers the path below the root")
    func nestedCreate() async throws {
        let storage = try Storage()
        let created = try await storage.invoke("create", "x", fileName: "./a//b/c.txt")
        #expect(storage.text(created) == #"{"fileName":"a/b/c.txt"}"#)
        #expect(storage.directory.read("root/a/b/c.txt") == "x")
    }

    @Test("create replaces an existing file")
    func overwrite() async throws {
        let storage = try Storage()
        _ = try await storage.invoke("create", "first version", fileName: "f.txt")
        _ = try await storage.invoke("create", "second", fileName: "f.txt")
        #expect(storage.directory.read("root/f.txt") == "second")
    }

    @Test("create without a fileName stores the file under a random lower-case UUID")
    func generatedName() async throws {
        let storage = try Storage()
        let answer = storage.text(try await storage.invoke("create", "some data"))
        let name = try #require(answer.split(separator: "\"").dropFirst(3).first.map(String.init))
        #expect(name.wholeMatch(of: /[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}/) != nil)
        #expect(storage.directory.read("root/\(name)") == "some data")
    }

    @Test("data that reads as base64 is stored decoded, as Dapr does")
    func base64Data() async throws {
        let storage = try Storage()
        _ = try await storage.invoke("create", "SGVsbG8sIFdvcmxkIQ==", fileName: "b.bin")
        #expect(storage.directory.read("root/b.bin") == "Hello, World!")
    }

    @Test("data that is a quoted string literal is stored unquoted, as Dapr does")
    func quotedData() async throws {
        let storage = try Storage()
        _ = try await storage.invoke("create", #""line one\nline two""#, fileName: "q.txt")
        #expect(storage.directory.read("root/q.txt") == "line one\nline two")
    }

    @Test("list walks every directory below the root in name order, answering absolute paths")
    func listRecursive() async throws {
        let storage = try Storage()
        for name in ["b.txt", "a/y/z.txt", "a.txt", "a/x.txt"] {
            _ = try await storage.invoke("create", name, fileName: name)
        }
        let expected = ["a/x.txt", "a/y/z.txt", "a.txt", "b.txt"].map { "\(storage.root)/\($0)" }
        #expect(storage.text(try await storage.invoke("list")) == JSONArray(expected))
    }

    @Test("list with a fileName lists only the files below that directory")
    func listSubdirectory() async throws {
        let storage = try Storage()
        for name in ["a/x.txt", "a/y/z.txt", "b.txt"] {
            _ = try await storage.invoke("create", name, fileName: name)
        }
        #expect(storage.text(try await storage.invoke("list", fileName: "a")) == JSONArray(["\(storage.root)/a/x.txt", "\(storage.root)/a/y/z.txt"]))
    }

    @Test("list of an empty root is an empty JSON array")
    func listEmpty() async throws {
        let storage = try Storage()
        #expect(storage.text(try await storage.invoke("list")) == "[]")
    }

    @Test("list of a file, or of a missing directory, is the binding's failure")
    func listNotDirectory() async throws {
        let storage = try Storage()
        _ = try await storage.invoke("create", "x", fileName: "f.txt")
        await #expect(throws: ComponentError.self) { _ = try await storage.invoke("list", fileName: "f.txt") }
        await #expect(throws: ComponentError.self) { _ = try await storage.invoke("list", fileName: "missing") }
    }

    @Test("get of a missing file fails as the binding's own (terminal) error, not a refused request")
    func missingFile() async throws {
        let storage = try Storage()
        await #expect {
            _ = try await storage.invoke("get", fileName: "nope.txt")
        } throws: { error in
            guard let error = error as? ComponentError else { return false }
            return error.kind == .terminal && error.message == "file not found: \(storage.root)/nope.txt"
        }
    }

    @Test("delete of a missing file fails as the binding's own error")
    func deleteMissing() async throws {
        let storage = try Storage()
        await #expect(throws: ComponentError.self) { _ = try await storage.invoke("delete", fileName: "nope.txt") }
    }

    @Test("get and delete without a fileName are refused requests")
    func fileNameRequired() async throws {
        let storage = try Storage()
        await #expect(throws: InvalidBindingRequest.self) { _ = try await storage.invoke("get") }
        await #expect(throws: InvalidBindingRequest.self) { _ = try await storage.invoke("delete") }
        #expect(FileManager.default.fileExists(atPath: storage.root))
    }

    @Test("a name longer than the file system allows is a refused request")
    func nameTooLong() async throws {
        let storage = try Storage()
        let long = String(repeating: "n", count: 300)
        await #expect(throws: InvalidBindingRequest.self) { _ = try await storage.invoke("create", "x", fileName: long) }
        _ = try await storage.invoke("create", "x", fileName: "dir/short")
        await #expect(throws: InvalidBindingRequest.self) { _ = try await storage.invoke("get", fileName: "dir/\(long)") }
    }

    @Test("the operations are Dapr's four")
    func operations() throws {
        #expect(try Storage().binding.operations == ["create", "get", "list", "delete"])
    }
}

@Suite("bindings.localstorage: rootPath")
struct LocalStorageRootTests {
    private func make(_ rootPath: String?) throws -> LocalStorageBinding {
        try LocalStorageBinding(metadata: ComponentMetadata(
            name: "files", type: "bindings.localstorage", properties: rootPath.map { ["rootPath": $0] } ?? [:]))
    }

    @Test("a missing root directory is created with its parents")
    func createsRoot() throws {
        let directory = try TemporaryDirectory()
        let binding = try make(directory.path + "/one/two/three")
        #expect(binding.rootPath == directory.path + "/one/two/three")
        #expect(directory.exists("one/two/three"))
    }

    @Test("the root's symlinks are resolved once, at start-up")
    func rootThroughSymlink() throws {
        let directory = try TemporaryDirectory()
        try directory.makeDirectory("real")
        try directory.link("alias", to: directory.path + "/real")
        #expect(try make(directory.path + "/alias/sub").rootPath == directory.path + "/real/sub")
    }

    @Test("a missing rootPath is a start-up error naming the field")
    func missing() {
        #expect { _ = try make(nil) } throws: { "\($0)".contains("'rootPath' is required") }
    }

    @Test("a rootPath that is a file, or below a file, is a start-up error")
    func rootIsFile() throws {
        let directory = try TemporaryDirectory()
        try directory.write("file", "x")
        #expect { _ = try make(directory.path + "/file") } throws: { "\($0)".contains("rootPath") && "\($0)".contains("not a directory") }
        #expect(throws: ComponentConfigurationError.self) { _ = try make(directory.path + "/file/below") }
    }

    @Test("a root inside /proc, /sys, /boot or the mounted secrets is refused")
    func disallowed() {
        for place in ["/proc/outrigger", "/sys", "/boot/x", "/var/run/secrets/kubernetes.io"] {
            #expect(throws: ComponentConfigurationError.self, "\(place)") { _ = try make(place) }
        }
    }

    @Test("the descriptor builds the binding from component metadata")
    func descriptor() async throws {
        let directory = try TemporaryDirectory()
        #expect(LocalStorageBinding.descriptor.type == "bindings.localstorage")
        let component = try await LocalStorageBinding.descriptor.make(ComponentMetadata(
            name: "files", type: "bindings.localstorage", properties: ["rootPath": directory.path]))
        #expect(component is any OutputBinding)
    }
}

private func JSONArray(_ items: [String]) -> String {
    "[" + items.map { "\"\($0)\"" }.joined(separator: ",") + "]"
}
