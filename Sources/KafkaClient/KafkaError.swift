import CRdKafka

/// A failure reported by librdkafka, as a Swift value: its error code and text.
public struct KafkaError: Error, Sendable, Hashable, CustomStringConvertible {
    /// librdkafka's `rd_kafka_resp_err_t` (negative: raised by the client; positive: by a broker).
    public var code: Int32
    /// librdkafka's text for it, or the client's own explanation.
    public var message: String

    public init(code: Int32, message: String) {
        self.code = code
        self.message = message
    }

    init(_ error: rd_kafka_resp_err_t, _ context: String? = nil) {
        code = error.rawValue
        let text = String(cString: rd_kafka_err2str(error))
        message = context.map { "\($0): \(text)" } ?? text
    }

    /// A configuration property librdkafka refused.
    static func configuration(_ key: String, _ reason: String) -> KafkaError {
        KafkaError(code: RD_KAFKA_RESP_ERR__INVALID_ARG.rawValue, message: "property \(key): \(reason)")
    }

    /// The client was closed before the operation could finish.
    public static let closed = KafkaError(code: RD_KAFKA_RESP_ERR__DESTROY.rawValue, message: "the Kafka client is closed")

    /// Whether trying again can succeed: false for errors about the record or the
    /// credentials themselves (too large, not authorised, invalid), true otherwise.
    public var isRetriable: Bool {
        !Self.terminalCodes.contains(code)
    }

    /// The broker or client refused the credentials.
    public var isAuthenticationFailure: Bool {
        [RD_KAFKA_RESP_ERR__AUTHENTICATION, RD_KAFKA_RESP_ERR_SASL_AUTHENTICATION_FAILED, RD_KAFKA_RESP_ERR__SSL]
            .map(\.rawValue).contains(code)
    }

    private static let terminalCodes: Set<Int32> = Set([
        RD_KAFKA_RESP_ERR_MSG_SIZE_TOO_LARGE, RD_KAFKA_RESP_ERR_INVALID_MSG,
        RD_KAFKA_RESP_ERR_TOPIC_AUTHORIZATION_FAILED, RD_KAFKA_RESP_ERR_CLUSTER_AUTHORIZATION_FAILED,
        RD_KAFKA_RESP_ERR_TOPIC_EXCEPTION, RD_KAFKA_RESP_ERR_INVALID_REQUIRED_ACKS, RD_KAFKA_RESP_ERR__INVALID_ARG,
        RD_KAFKA_RESP_ERR__UNKNOWN_PARTITION, RD_KAFKA_RESP_ERR__AUTHENTICATION, RD_KAFKA_RESP_ERR_SASL_AUTHENTICATION_FAILED,
        RD_KAFKA_RESP_ERR__FATAL, RD_KAFKA_RESP_ERR_INVALID_RECORD,
    ].map(\.rawValue))

    public var description: String { message }
}
