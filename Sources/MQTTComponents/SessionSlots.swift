import Synchronization

/// Hands out the lowest free slot number per key, so that subscriptions to the same topic and
/// group get distinct MQTT client ids, and a subscription made after another one closed takes
/// its client id — and with it the persistent session holding the messages it left
/// unacknowledged.
final class SessionSlots: Sendable {
    private let taken = Mutex([String: Set<Int>]())

    func acquire(_ key: String) -> Int {
        taken.withLock { taken in
            var slot = 0
            while taken[key, default: []].contains(slot) { slot += 1 }
            taken[key, default: []].insert(slot)
            return slot
        }
    }

    func release(_ key: String, slot: Int) {
        taken.withLock { taken in
            taken[key]?.remove(slot)
            if taken[key]?.isEmpty == true { taken[key] = nil }
        }
    }

    /// A short stable hash of `text` (FNV-1a, 32 bits, hex) for client ids.
    static func hash(_ text: String) -> String {
        var value: UInt32 = 2_166_136_261
        for byte in text.utf8 {
            value ^= UInt32(byte)
            value = value &* 16_777_619
        }
        let hex = String(value, radix: 16)
        return String(repeating: "0", count: 8 - hex.count) + hex
    }
}
