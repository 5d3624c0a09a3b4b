import CRdKafka
import Logging

/// The logger librdkafka's own log lines and the client's warnings go to.
let kafkaLogger = Logger(label: "outrigger.kafka")

/// Routes librdkafka's log lines into swift-log (called on librdkafka's threads).
let logCallback: @convention(c) (OpaquePointer?, Int32, UnsafePointer<CChar>?, UnsafePointer<CChar>?) -> Void = { _, level, facility, text in
    let line = "\(facility.map { String(cString: $0) } ?? ""): \(text.map { String(cString: $0) } ?? "")"
    switch level {
    // librdkafka logs a refused or lost broker connection at 3 (LOG_ERR); it reconnects by
    // itself, so that is a warning here, as the seam's supervisor logs a lost connection.
    case ...2: kafkaLogger.error("\(line)")
    case 3, 4: kafkaLogger.warning("\(line)")
    case 5, 6: kafkaLogger.info("\(line)")
    default: kafkaLogger.debug("\(line)")
    }
}
