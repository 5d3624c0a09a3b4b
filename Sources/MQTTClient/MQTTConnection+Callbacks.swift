import CMosquitto

// libmosquitto's callbacks. Every one runs on the connection's loop thread (inside
// mosquitto_loop_read/_write/_misc, which only that thread calls) and finds its connection
// through the handle's user data, an unretained pointer: the loop thread holds the connection
// for as long as it runs, and no callback runs after it ended.

extension MQTTConnection {
    static func connection(_ userData: UnsafeMutableRawPointer?) -> MQTTConnection? {
        guard let userData else { return nil }
        return Unmanaged<MQTTConnection>.fromOpaque(userData).takeUnretainedValue()
    }

    func installCallbacks() {
        let mosq = handle.pointer
        mosquitto_user_data_set(mosq, Unmanaged.passUnretained(self).toOpaque())
        mosquitto_connect_with_flags_callback_set(mosq) { _, userData, code, flags in
            MQTTConnection.connection(userData)?.connackReceived(code, flags: flags)
        }
        mosquitto_publish_callback_set(mosq) { _, userData, mid in
            MQTTConnection.connection(userData)?.replyReceived(mid, value: 0)
        }
        mosquitto_subscribe_callback_set(mosq) { _, userData, mid, count, granted in
            let qos = count > 0 ? (granted?[0] ?? 0x80) : 0x80
            MQTTConnection.connection(userData)?.replyReceived(mid, value: qos)
        }
        mosquitto_unsubscribe_callback_set(mosq) { _, userData, mid in
            MQTTConnection.connection(userData)?.replyReceived(mid, value: 0)
        }
        mosquitto_message_callback_set(mosq) { _, userData, message in
            guard let connection = MQTTConnection.connection(userData), let message else { return }
            let raw = message.pointee
            let topic = raw.topic.map { String(cString: $0) } ?? ""
            var payload: [UInt8] = []
            if let bytes = raw.payload, raw.payloadlen > 0 {
                payload = Array(UnsafeRawBufferPointer(start: bytes, count: Int(raw.payloadlen)))
            }
            connection.messageReceived(topic: topic, payload: payload, qos: Int(raw.qos), retained: raw.retain, messageID: Int(raw.mid))
        }
    }
}
