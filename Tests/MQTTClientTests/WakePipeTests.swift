#if canImport(Glibc)
import Glibc
#endif
@testable import MQTTClient
import Testing

/// The loop thread's wake-up: one byte per sleep at most, and none while the thread is awake.
@Suite("WakePipe")
struct WakePipeTests {
    /// Bytes waiting in the pipe, read without blocking (the pipe is non-blocking).
    private func pending(_ pipe: WakePipe) -> Int {
        var buffer = [UInt8](repeating: 0, count: 64)
        let count = read(pipe.readFD, &buffer, buffer.count)
        return max(count, 0)
    }

    @Test("a signal while the loop may sleep writes one byte, however many signals come")
    func oneBytePerSleep() {
        let pipe = WakePipe()
        pipe.mayWait()
        pipe.signal()
        pipe.signal()
        pipe.signal()
        #expect(pending(pipe) == 1)
    }

    @Test("a signal while the loop is awake writes nothing: its next look finds the work")
    func nothingWhileAwake() {
        let pipe = WakePipe()
        pipe.signal()
        #expect(pending(pipe) == 0)
        pipe.mayWait()
        pipe.woke()
        pipe.signal()
        #expect(pending(pipe) == 0)
    }

    @Test("each new wait is signalled again")
    func everyWaitIsSignalled() {
        let pipe = WakePipe()
        for _ in 0..<3 {
            pipe.mayWait()
            pipe.signal()
            #expect(pending(pipe) == 1)
            pipe.woke()
        }
    }
}
