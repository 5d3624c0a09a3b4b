import CMosquitto
import Foundation
#if canImport(Glibc)
import Glibc
#endif

extension MQTTConnection {
    /// Applies credentials and TLS to the handle before connecting.
    func configure() throws {
        let mosq = handle.pointer
        if configuration.username != nil || configuration.password != nil {
            let code = mosquitto_username_pw_set(mosq, configuration.username, configuration.password)
            guard code == MOSQ_ERR_SUCCESS.rawValue else { throw MQTTError.library("username_pw_set", code) }
        }
        guard let tls = configuration.tls else { return }
        if tls.caFile == nil { mosquitto_int_option(mosq, MOSQ_OPT_TLS_USE_OS_CERTS, 1) }
        let code = mosquitto_tls_set(mosq, tls.caFile, nil, tls.certificateFile, tls.keyFile, nil)
        guard code == MOSQ_ERR_SUCCESS.rawValue else { throw MQTTError.library("tls_set", code) }
    }

    /// The loop thread: connect, then poll/read/write/keepalive until the connection ends.
    ///
    /// The TCP connect does not block: `mosquitto_connect_async` (libmosquitto 2.0 starts a
    /// non-blocking connect and queues CONNECT behind it) and the loop below waits for the
    /// socket to become writable, so `connectTimeout` covers a broker whose host drops the SYN
    /// too, instead of the kernel's two minutes of retries (`mosquitto_connect` blocked in
    /// `connect(2)`). A refused or failed connect surfaces from the first write.
    ///
    /// Output is flushed before anything more is read (the socket is polled for writing only
    /// while libmosquitto has packets queued), so the PUBACK of an accepted message is on the
    /// wire before the next PUBLISH is read, and a rejected message's PUBACK — queued, never
    /// flushed — dies with the socket.
    func runLoop() {
        let mosq = handle.pointer
        let code = mosquitto_connect_async(mosq, configuration.host, Int32(configuration.port), Int32(configuration.keepAlive))
        guard code == MOSQ_ERR_SUCCESS.rawValue else {
            finish(.connectionLost("connecting to \(configuration.address): \(Self.text(code))"))
            return
        }
        let clock = ContinuousClock()
        let connectDeadline = clock.now.advanced(by: configuration.connectTimeout)
        while true {
            wake.mayWait()
            let (stop, phase) = state.withLock { ($0.stopRequested, $0.phase) }
            if case .ended(let error) = phase {
                finish(error)
                return
            }
            if stop {
                disconnectGracefully()
                finish(.closed("closed by its owner"))
                return
            }
            if case .connecting = phase, clock.now >= connectDeadline {
                finish(.connectTimedOut)
                return
            }
            let socket = mosquitto_socket(mosq)
            guard socket >= 0 else {
                finish(.connectionLost("the socket closed"))
                return
            }
            let wantsWrite = mosquitto_want_write(mosq)
            var fds = [
                pollfd(fd: socket, events: Int16(wantsWrite ? POLLOUT : POLLIN), revents: 0),
                pollfd(fd: wake.readFD, events: Int16(POLLIN), revents: 0),
            ]
            _ = poll(&fds, 2, 1000)
            wake.woke()
            if fds[1].revents != 0 { wake.drain() }
            let events = Int32(fds[0].revents)
            var result = MOSQ_ERR_SUCCESS.rawValue
            if events != 0 {
                result = wantsWrite ? mosquitto_loop_write(mosq, 1) : mosquitto_loop_read(mosq, 1)
            }
            if result == MOSQ_ERR_SUCCESS.rawValue { result = mosquitto_loop_misc(mosq) }
            if result != MOSQ_ERR_SUCCESS.rawValue {
                let reason = Self.text(result)
                if case .connecting = phase {
                    end(.connectionLost("connecting to \(configuration.address): \(reason)"))
                } else {
                    end(.connectionLost(reason))
                }
            }
        }
    }

    /// libmosquitto's text for `code`; for `MOSQ_ERR_ERRNO`, the system's for `errno` (read
    /// before anything else can change it).
    private static func text(_ code: Int32) -> String {
        code == MOSQ_ERR_ERRNO.rawValue ? String(cString: strerror(errno)) : String(cString: mosquitto_strerror(code))
    }

    /// Half-closes the socket from inside `on_message`, before libmosquitto's queued PUBACK is
    /// written: the broker reads everything sent before (the PUBACKs of accepted messages),
    /// then the end of the stream. The loop then ends the connection.
    func dropWithoutAcknowledging() {
        let socket = mosquitto_socket(handle.pointer)
        if socket >= 0 { shutdown(socket, Int32(SHUT_WR)) }
        state.withLock { $0.drainBeforeClose = true }
        end(.closed("dropped so that the broker redelivers a message that was not acknowledged"))
    }

    /// After a half-close: discards what the broker still sends until it closes its side (at
    /// most a second), so closing the socket does not reset the connection — a reset may make
    /// the broker lose PUBACKs it had not read yet, and deliver those messages again.
    private func drainUntilClosed(_ socket: Int32) {
        let clock = ContinuousClock()
        let deadline = clock.now.advanced(by: .seconds(1))
        var buffer = [UInt8](repeating: 0, count: 4096)
        while clock.now < deadline {
            var fds = [pollfd(fd: socket, events: Int16(POLLIN), revents: 0)]
            guard poll(&fds, 1, 100) >= 0 else { return }
            guard fds[0].revents != 0 else { continue }
            let count = read(socket, &buffer, buffer.count)
            if count == 0 { return }
            if count < 0, errno != EAGAIN, errno != EINTR { return }
        }
    }

    /// DISCONNECT, flushed for at most a second, unless the connection already ended.
    private func disconnectGracefully() {
        let mosq = handle.pointer
        guard case .connected = state.withLock({ $0.phase }) else { return }
        guard mosquitto_disconnect(mosq) == MOSQ_ERR_SUCCESS.rawValue else { return }
        let clock = ContinuousClock()
        let deadline = clock.now.advanced(by: .seconds(1))
        while mosquitto_want_write(mosq), clock.now < deadline {
            let socket = mosquitto_socket(mosq)
            guard socket >= 0 else { return }
            var fds = [pollfd(fd: socket, events: Int16(POLLOUT), revents: 0)]
            _ = poll(&fds, 1, 100)
            if fds[0].revents != 0, mosquitto_loop_write(mosq, 1) != MOSQ_ERR_SUCCESS.rawValue { return }
        }
    }

    /// The loop thread's last act: record why, close the socket and wake whoever waits.
    private func finish(_ error: MQTTError) {
        end(error)
        let socket = mosquitto_socket(handle.pointer)
        if socket >= 0 {
            if state.withLock({ $0.drainBeforeClose }) { drainUntilClosed(socket) }
            shutdown(socket, Int32(SHUT_RDWR))
        }
        let waiters = state.withLock { state -> [CheckedContinuation<Void, Never>] in
            state.loopEnded = true
            defer { state.endWaiters = [] }
            return state.endWaiters
        }
        for waiter in waiters { waiter.resume() }
    }
}
