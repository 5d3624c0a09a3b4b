import CMosquitto
#if canImport(Glibc)
import Glibc
#endif

/// Makes libmosquitto ready once per process: `mosquitto_lib_init`, and SIGPIPE ignored so a
/// write to a socket the broker closed is an error code, not the end of the process.
let mosquittoLibrary: Int32 = {
    signal(SIGPIPE, SIG_IGN)
    return mosquitto_lib_init()
}()

/// Owns one `struct mosquitto *` and destroys it in `deinit`.
///
/// `@unchecked Sendable` — the one such wrapper of this library — because libmosquitto in
/// threaded mode (`mosquitto_threaded_set`, which ``MQTTConnection`` always sets) guards each
/// handle with its own mutexes: queueing a PUBLISH, SUBSCRIBE or DISCONNECT from any thread
/// while the loop thread reads and writes is the use the library supports. The handle is
/// destroyed only when the last reference goes, which the loop thread holds until it ended.
final class MQTTHandle: @unchecked Sendable {
    let pointer: OpaquePointer

    /// A new client handle; `nil` when libmosquitto cannot allocate one.
    init?(clientID: String, cleanSession: Bool) {
        _ = mosquittoLibrary
        guard let pointer = mosquitto_new(clientID, cleanSession, nil) else { return nil }
        self.pointer = pointer
        mosquitto_threaded_set(pointer, true)
        mosquitto_int_option(pointer, MOSQ_OPT_PROTOCOL_VERSION, MQTT_PROTOCOL_V311)
    }

    deinit {
        mosquitto_destroy(pointer)
    }
}
