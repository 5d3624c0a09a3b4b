/// How to reach a broker and who to be there: everything one ``MQTTConnection`` needs.
public struct MQTTConfiguration: Sendable, Equatable {
    /// Files of a TLS connection (libmosquitto reads them at every connect).
    public struct TLSFiles: Sendable, Equatable {
        /// PEM file of the certificate authorities to trust; `nil` trusts the system's.
        public var caFile: String?
        /// PEM files of the client certificate and its key, for mutual TLS.
        public var certificateFile: String?
        public var keyFile: String?

        /// TLS with these files; all `nil`: the system's trust store, no client certificate.
        public init(caFile: String? = nil, certificateFile: String? = nil, keyFile: String? = nil) {
            self.caFile = caFile
            self.certificateFile = certificateFile
            self.keyFile = keyFile
        }
    }

    /// The broker's host name or address.
    public var host: String
    /// The broker's TCP port (1883 plain, 8883 TLS by convention).
    public var port: Int
    /// The MQTT client identifier: the broker keeps one session per identifier.
    public var clientID: String
    /// `false`: a persistent session, so QoS 1 messages wait in the broker while disconnected.
    public var cleanSession: Bool
    /// MQTT CONNECT credentials; `nil` sends none.
    public var username: String?
    public var password: String?
    /// `nil`: plain TCP.
    public var tls: TLSFiles?
    /// Seconds between PINGREQs when idle; the broker drops the connection after 1.5 times it
    /// without a packet.
    public var keepAlive: Int
    /// How long the TCP connect and CONNECT together may wait for the CONNACK.
    public var connectTimeout: Duration

    /// A configuration; see each property for the defaults' meaning.
    public init(
        host: String, port: Int, clientID: String, cleanSession: Bool = false, username: String? = nil, password: String? = nil,
        tls: TLSFiles? = nil, keepAlive: Int = 60, connectTimeout: Duration = .seconds(10)
    ) {
        self.host = host
        self.port = port
        self.clientID = clientID
        self.cleanSession = cleanSession
        self.username = username
        self.password = password
        self.tls = tls
        self.keepAlive = keepAlive
        self.connectTimeout = connectTimeout
    }

    /// `host:port`, for messages.
    public var address: String { "\(host):\(port)" }
}
