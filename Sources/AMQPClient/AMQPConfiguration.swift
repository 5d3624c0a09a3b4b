/// Where and how an ``AMQPConnection`` connects.
public struct AMQPConfiguration: Sendable, Equatable {
    /// TLS settings (`amqps`): PEM texts, written to private files for rabbitmq-c.
    public struct TLS: Sendable, Equatable {
        /// CA certificates the server's certificate must chain to; `nil`: the system's.
        public var caCertificatePEM: String?
        /// Client certificate presented to the broker, with ``clientKeyPEM``.
        public var clientCertificatePEM: String?
        /// The client certificate's private key.
        public var clientKeyPEM: String?
        /// Verify the server's certificate and host name.
        public var verifyPeer: Bool
        /// SASL EXTERNAL: the client certificate is the identity, no password is sent.
        public var externalAuthentication: Bool

        /// TLS with the given PEM texts; peers are verified unless `verifyPeer` is false.
        public init(caCertificatePEM: String? = nil, clientCertificatePEM: String? = nil, clientKeyPEM: String? = nil, verifyPeer: Bool = true, externalAuthentication: Bool = false) {
            self.caCertificatePEM = caCertificatePEM
            self.clientCertificatePEM = clientCertificatePEM
            self.clientKeyPEM = clientKeyPEM
            self.verifyPeer = verifyPeer
            self.externalAuthentication = externalAuthentication
        }
    }

    /// Host name or address of the broker.
    public var host: String
    /// TCP port (5672, or 5671 with TLS, unless given).
    public var port: Int
    /// Virtual host to open (`/` by default).
    public var virtualHost: String
    /// PLAIN login user (the identity with EXTERNAL login).
    public var username: String
    /// PLAIN login password.
    public var password: String
    /// Negotiated heartbeat; `.zero` disables heartbeats.
    public var heartbeat: Duration
    /// Connect (TCP, TLS and login) time limit.
    public var connectTimeout: Duration
    /// How long a broker round trip (declare, consume, close) may take before the connection
    /// counts as broken.
    public var rpcTimeout: Duration
    /// `connection_name` client property, shown in the management UI.
    public var connectionName: String?
    /// TLS (`amqps`); `nil`: plain TCP.
    public var tls: TLS?

    /// A configuration; `port` defaults by whether `tls` is set.
    public init(
        host: String = "localhost", port: Int? = nil, virtualHost: String = "/", username: String = "guest", password: String = "guest",
        heartbeat: Duration = .seconds(10), connectTimeout: Duration = .seconds(10), rpcTimeout: Duration = .seconds(30),
        connectionName: String? = nil, tls: TLS? = nil
    ) {
        self.host = host
        self.port = port ?? (tls == nil ? 5672 : 5671)
        self.virtualHost = virtualHost
        self.username = username
        self.password = password
        self.heartbeat = heartbeat
        self.connectTimeout = connectTimeout
        self.rpcTimeout = rpcTimeout
        self.connectionName = connectionName
        self.tls = tls
    }

    /// `host:port`, for messages.
    public var address: String { host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)" }
}
