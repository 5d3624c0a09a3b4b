@testable import BuiltinComponents
import Foundation
import OutriggerCore
import Testing

/// A root `sandbox/root` with a sibling `sandbox/outside` holding `secret.txt`; every escape
/// attempt must leave `outside` exactly as it was and create nothing next to the root.
private struct Sandbox {
    let directory: TemporaryDirectory
    let binding: LocalStorageBinding

    init() throws {
        directory = try TemporaryDirectory()
        try directory.write("outside/secret.txt", "secret")
        binding = try LocalStorageBinding(metadata: ComponentMetadata(
            name: "files", type: "bindings.localstorage", properties: ["rootPath": directory.path + "/root"]))
    }

    var root: String { directory.path + "/root" }

    func invoke(_ operation: String, fileName: String, data: String = "planted") async throws -> BindingResponse {
        try await binding.invoke(BindingRequest(operation: operation, data: Array(data.utf8), metadata: ["fileName": fileName]))
    }

    /// Every operation on `fileName` is refused with InvalidBindingRequest, and nothing
    /// outside the root changed.
    func expectRefused(_ fileName: String, sourceLocation: SourceLocation = #_sourceLocation) async throws {
        let before = directory.contents().filter { !$0.hasPrefix("root") }
        for operation in ["create", "get", "list", "delete"] {
            await #expect(throws: InvalidBindingRequest.self, "\(operation) \(fileName)", sourceLocation: sourceLocation) {
                _ = try await invoke(operation, fileName: fileName)
            }
        }
        #expect(directory.contents().filter { !$0.hasPrefix("root") } == before, sourceLocation: sourceLocation)
        #expect(directory.read("outside/secret.txt") == "secret", sourceLocation: sourceLocation)
    }
}

@Suite("bindings.localstorage: file names that escape the root")
struct LocalStoragePathTests {
    @Test("'../x' is refused")
    func parent() async throws {
        try await Sandbox().expectRefused("../x")
    }

    @Test("'../outside/secret.txt' is refused and the file outside is neither read nor overwritten")
    func parentToExistingFile() async throws {
        try await Sandbox().expectRefused("../outside/secret.txt")
    }

    @Test("an absolute path such as /etc/passwd is refused")
    func absolute() async throws {
        try await Sandbox().expectRefused("/etc/passwd")
    }

    @Test("'a/../../x' is refused")
    func parentAfterDirectory() async throws {
        let sandbox = try Sandbox()
        try sandbox.directory.makeDirectory("root/a")
        try await sandbox.expectRefused("a/../../x")
    }

    @Test("any '..' component is refused, even one that would stay inside")
    func innerParent() async throws {
        try await Sandbox().expectRefused("a/../b")
    }

    @Test("a '..' followed by a combining mark is still split at the slash and refused")
    func unicodeParent() async throws {
        try await Sandbox().expectRefused("../\u{301}x")
    }

    @Test("a NUL byte is refused")
    func nulByte() async throws {
        try await Sandbox().expectRefused("x\u{0}y")
    }

    @Test("a symlink inside the root pointing to a file outside is refused")
    func symlinkToOutsideFile() async throws {
        let sandbox = try Sandbox()
        try sandbox.directory.link("root/leak", to: sandbox.directory.path + "/outside/secret.txt")
        try await sandbox.expectRefused("leak")
    }

    @Test("a symlinked directory pointing outside is refused for anything below it")
    func symlinkedDirectory() async throws {
        let sandbox = try Sandbox()
        try sandbox.directory.link("root/escape", to: "../outside")
        try await sandbox.expectRefused("escape/secret.txt")
        try await sandbox.expectRefused("escape/new.txt")
        try await sandbox.expectRefused("escape")
    }

    @Test("a symlink deeper down, pointing outside, is refused")
    func deepSymlink() async throws {
        let sandbox = try Sandbox()
        try sandbox.directory.makeDirectory("root/a/b")
        try sandbox.directory.link("root/a/b/up", to: "/etc")
        try await sandbox.expectRefused("a/b/up/passwd")
    }

    @Test("a dangling symlink is refused rather than written through")
    func danglingSymlink() async throws {
        let sandbox = try Sandbox()
        try sandbox.directory.link("root/dangling", to: sandbox.directory.path + "/outside/created-by-write.txt")
        try await sandbox.expectRefused("dangling")
        #expect(!sandbox.directory.exists("outside/created-by-write.txt"))
    }

    @Test("a symlink that stays inside the root is followed, and the answer names the real path")
    func symlinkInside() async throws {
        let sandbox = try Sandbox()
        try sandbox.directory.makeDirectory("root/real")
        try sandbox.directory.link("root/alias", to: "real")
        let answer = try await sandbox.invoke("create", fileName: "alias/f.txt", data: "inside")
        #expect(String(decoding: answer.data, as: UTF8.self) == #"{"fileName":"real/f.txt"}"#)
        #expect(sandbox.directory.read("root/real/f.txt") == "inside")
        #expect(String(decoding: try await sandbox.invoke("get", fileName: "alias/f.txt").data, as: UTF8.self) == "inside")
    }

    @Test("a name that only looks like '..' with a combining mark is an ordinary name inside the root")
    func dotsWithMark() async throws {
        let sandbox = try Sandbox()
        _ = try await sandbox.invoke("create", fileName: "..\u{301}/f.txt", data: "inside")
        #expect(sandbox.directory.read("root/..\u{301}/f.txt") == "inside")
    }

    @Test("the walk from the root does not follow a symlink put in place after the check")
    func noFollowAfterCheck() throws {
        let sandbox = try Sandbox()
        try sandbox.directory.link("root/swapped", to: sandbox.directory.path + "/outside")
        let root = try DirectoryHandle.open(path: sandbox.root)
        #expect(throws: FileSystemError.self) { _ = try root.descend(["swapped"], create: false) }
        #expect(throws: FileSystemError.self) { _ = try root.readFile("swapped") }
        #expect(throws: FileSystemError.self) { try root.writeFile("swapped", Array("planted".utf8)) }
        #expect(sandbox.directory.read("outside/secret.txt") == "secret")
    }

    @Test("resolving keeps clean names and drops '.' and empty components")
    func cleanResolution() throws {
        let sandbox = try Sandbox()
        #expect(try ConfinedPath(resolving: "./a//b/./c", root: sandbox.root).components == ["a", "b", "c"])
        #expect(try ConfinedPath(resolving: ".", root: sandbox.root).components == [])
    }
}
