#if canImport(Glibc)
import Glibc
#endif
import OutriggerCore
@testable import SMTPBinding
import Testing

/// A TCP listener on 127.0.0.1 that never accepts: the kernel completes the handshake, and the
/// client then waits for a greeting that never comes.
final class SilentListener {
    let port: Int
    private let descriptor: Int32

    init() throws {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        self.descriptor = descriptor
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { generic in
                bind(descriptor, generic, length) == 0 && listen(descriptor, 8) == 0 && getsockname(descriptor, generic, &length) == 0
            }
        }
        guard bound else { throw SMTPError(.connection, "cannot listen: errno \(errno)") }
        port = Int(UInt16(bigEndian: address.sin_port))
    }

    deinit { close(descriptor) }
}

@Suite("bindings.smtp failures without a server")
struct SMTPFailureTests {
    @Test("a server that never greets fails the invocation after the reply timeout")
    func silentServer() async throws {
        let listener = try SilentListener()
        let metadata = smtpMetadata(["host": "127.0.0.1", "port": String(listener.port), "emailFrom": "a@example.com", "emailTo": "b@example.com", "subject": "x"])
        let binding = try SMTPBinding(metadata: metadata, timeouts: .init(connect: .seconds(5), reply: .milliseconds(300)))
        let started = ContinuousClock.now
        let error = await #expect(throws: ComponentError.self) {
            try await binding.invoke(BindingRequest(operation: "create", data: []))
        }
        #expect(error?.kind == .retriable)
        #expect(error?.message.contains("did not answer") == true)
        #expect(ContinuousClock.now - started < .seconds(20))
        withExtendedLifetime(listener) {}
    }

    @Test("nothing listening on the port is a retriable failure")
    func connectionRefused() async throws {
        let port = try SilentListener().port  // free again once the listener is gone
        let metadata = smtpMetadata(["host": "127.0.0.1", "port": String(port), "emailFrom": "a@example.com", "emailTo": "b@example.com", "subject": "x"])
        let error = await #expect(throws: ComponentError.self) {
            try await SMTPBinding(metadata: metadata).invoke(BindingRequest(operation: "create", data: []))
        }
        #expect(error?.kind == .retriable)
        #expect(error?.message.contains("cannot connect") == true)
    }
}
