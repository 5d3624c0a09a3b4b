import CRdKafka
import CLibraryLoader

/// librdkafka configuration properties (`bootstrap.servers`, `acks`, `security.protocol`, ...),
/// in the order they are set, as librdkafka's CONFIGURATION.md names them.
///
/// ```swift
/// var configuration = KafkaConfiguration()
/// configuration["bootstrap.servers"] = "127.0.0.1:9092"
/// configuration["linger.ms"] = "5"
/// let producer = try KafkaProducer(configuration: configuration)
/// ```
public struct KafkaConfiguration: Sendable, Equatable, CustomStringConvertible {
    /// Every property in the order it was first set.
    public private(set) var properties: [(key: String, value: String)] = []

    public init(_ properties: [(String, String)] = []) {
        for (key, value) in properties { self[key] = value }
    }

    /// A property's value; setting `nil` removes it, setting again replaces it in place.
    public subscript(key: String) -> String? {
        get { properties.first { $0.key == key }?.value }
        set {
            if let index = properties.firstIndex(where: { $0.key == key }) {
                if let newValue { properties[index].value = newValue } else { properties.remove(at: index) }
            } else if let newValue {
                properties.append((key, newValue))
            }
        }
    }

    public static func == (lhs: KafkaConfiguration, rhs: KafkaConfiguration) -> Bool {
        lhs.properties.map(\.key) == rhs.properties.map(\.key) && lhs.properties.map(\.value) == rhs.properties.map(\.value)
    }

    /// The properties with secrets (`*password*`, `*.pem`, `*key*`) masked, for logs.
    public var description: String {
        properties.map { key, value in
            let secret = key.contains("password") || key.hasSuffix(".pem") || key.contains("key")
            return "\(key)=\(secret ? "***" : value)"
        }.joined(separator: " ")
    }

    /// A new `rd_kafka_conf_t` holding every property; the caller owns it.
    func makeConf() throws(KafkaError) -> OpaquePointer {
        if let failure = outrigger_load_rdkafka() {
            throw KafkaError(code: RD_KAFKA_RESP_ERR__FAIL.rawValue, message: String(cString: failure))
        }
        let conf = rd_kafka_conf_new()!
        var buffer = [CChar](repeating: 0, count: 512)
        for (key, value) in properties {
            let result = rd_kafka_conf_set(conf, key, value, &buffer, buffer.count)
            guard result == RD_KAFKA_CONF_OK else {
                rd_kafka_conf_destroy(conf)
                throw .configuration(key, String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self))
            }
        }
        return conf
    }
}
