import Foundation
import OutriggerCore
import OutriggerTesting
import Synchronization

/// Values handed from the code under test to the test, awaited one at a time.
final class Inbox<Element: Sendable>: Sendable {
    private struct State {
        var items: [Element] = []
        var waiter: (id: Int, continuation: CheckedContinuation<Element?, Never>)?
        var nextID = 0
        var received = 0
    }

    private let state = Mutex(State())

    /// Everything put so far, taken or not.
    var received: Int { state.withLock { $0.received } }

    func put(_ element: Element) {
        let waiter = state.withLock { state -> CheckedContinuation<Element?, Never>? in
            state.received += 1
            if let waiter = state.waiter {
                state.waiter = nil
                return waiter.continuation
            }
            state.items.append(element)
            return nil
        }
        waiter?.resume(returning: element)
    }

    /// The next element, waiting for it up to `limit`.
    func next(_ what: String, within limit: Duration = .seconds(60)) async throws -> Element {
        try await withDeadline(limit, what) {
            guard let element = await self.take() else { throw CancellationError() }
            return element
        }
    }

    private func take() async -> Element? {
        let id = state.withLock { state -> Int in
            state.nextID += 1
            return state.nextID
        }
        return await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Element?, Never>) in
                let ready = state.withLock { state -> Element?? in
                    if !state.items.isEmpty { return .some(state.items.removeFirst()) }
                    if Task.isCancelled { return .some(nil) }
                    state.waiter = (id, continuation)
                    return .none
                }
                if let ready { continuation.resume(returning: ready) }
            }
        } onCancel: {
            let waiter = state.withLock { state -> CheckedContinuation<Element?, Never>? in
                guard state.waiter?.id == id else { return nil }
                defer { state.waiter = nil }
                return state.waiter?.continuation
            }
            waiter?.resume(returning: nil)
        }
    }
}

/// A barrier a handler waits at until the test opens it.
final class Gate: Sendable {
    private let state = Mutex((open: false, waiters: [CheckedContinuation<Void, Never>]()))

    func wait() async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let proceed = state.withLock { state -> Bool in
                if state.open { return true }
                state.waiters.append(continuation)
                return false
            }
            if proceed { continuation.resume() }
        }
    }

    func open() {
        let waiters = state.withLock { state -> [CheckedContinuation<Void, Never>] in
            state.open = true
            defer { state.waiters = [] }
            return state.waiters
        }
        for waiter in waiters { waiter.resume() }
    }
}

/// Waits (yielding, never sleeping) until `condition` holds, failing after `limit`.
func eventually(_ what: String, within limit: Duration = .seconds(60), _ condition: @escaping @Sendable () -> Bool) async throws {
    try await withDeadline(limit, what) {
        while !condition() {
            try Task.checkCancellation()
            await Task.yield()
        }
    }
}

/// A fresh directory under the system's temporary directory, removed with everything in it
/// when the test is done with it.
final class TemporaryDirectory: Sendable {
    /// Its canonical path.
    let path: String

    init() throws {
        var template = Array((NSTemporaryDirectory() + "/outrigger-test-XXXXXX").utf8CString)
        let made = template.withUnsafeMutableBufferPointer { mkdtemp($0.baseAddress!) }
        guard let made else { throw CocoaError(.fileWriteUnknown) }
        path = URL(fileURLWithPath: String(cString: made)).resolvingSymlinksInPath().path
    }

    deinit {
        try? FileManager.default.removeItem(atPath: path)
    }

    func url(_ relative: String) -> URL { URL(fileURLWithPath: path + "/" + relative) }

    func write(_ relative: String, _ text: String) throws {
        let url = url(relative)
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try Data(text.utf8).write(to: url)
    }

    func read(_ relative: String) -> String? {
        FileManager.default.contents(atPath: path + "/" + relative).map { String(decoding: $0, as: UTF8.self) }
    }

    func exists(_ relative: String) -> Bool {
        var isDirectory: ObjCBool = false
        // A dangling symlink still exists.
        return FileManager.default.fileExists(atPath: path + "/" + relative, isDirectory: &isDirectory)
            || (try? FileManager.default.destinationOfSymbolicLink(atPath: path + "/" + relative)) != nil
    }

    func makeDirectory(_ relative: String) throws {
        try FileManager.default.createDirectory(atPath: path + "/" + relative, withIntermediateDirectories: true)
    }

    /// A symlink at `relative` pointing to `target` (absolute, or relative to the link).
    func link(_ relative: String, to target: String) throws {
        try FileManager.default.createSymbolicLink(atPath: path + "/" + relative, withDestinationPath: target)
    }

    /// Everything below the directory, relative, sorted.
    func contents() -> [String] {
        (FileManager.default.subpaths(atPath: path) ?? []).sorted()
    }
}
