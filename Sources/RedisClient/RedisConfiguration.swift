/// Where and how to connect to one Redis server.
///
/// ```swift
/// var configuration = RedisConfiguration(host: "127.0.0.1", port: 6379)
/// configuration.password = "secret"
/// let client = try await RedisClient.connect(configuration)
/// ```
public struct RedisConfiguration: Sendable {
    /// A host name or IP address.
    public var host: String
    /// The TCP port (TLS or plain, as ``tls`` says).
    public var port: Int
    /// ACL user for `AUTH username password` (Redis 6+); `nil` sends `AUTH password`.
    public var username: String?
    /// Sent with `AUTH` right after connecting; `nil`: no `AUTH`.
    public var password: String?
    /// Selected with `SELECT` right after connecting when not 0.
    public var database: Int
    /// TLS on the connection; `nil`: plain TCP.
    public var tls: RedisTLSConfiguration?
    /// How long a TCP connect (and the TLS handshake) may take.
    public var dialTimeout: Duration
    /// How long a reply may take once the command was written (a blocking command's own
    /// `BLOCK` time is added); `nil`: no limit.
    public var readTimeout: Duration?

    /// Settings with Dapr's defaults: 5 s to connect, 3 s per reply, database 0, no TLS.
    public init(
        host: String, port: Int = 6379, username: String? = nil, password: String? = nil, database: Int = 0,
        tls: RedisTLSConfiguration? = nil, dialTimeout: Duration = .seconds(5), readTimeout: Duration? = .seconds(3)
    ) {
        self.host = host
        self.port = port
        self.username = username
        self.password = password
        self.database = database
        self.tls = tls
        self.dialTimeout = dialTimeout
        self.readTimeout = readTimeout
    }
}

/// TLS settings of a Redis connection.
public struct RedisTLSConfiguration: Sendable {
    /// Check the server's certificate chain and host name (`false` only for tests).
    public var verifyCertificate: Bool
    /// PEM certificates to trust in addition to the system's roots (a private CA).
    public var additionalTrustRootsPEM: String?
    /// A client certificate chain and its private key, PEM, for servers that ask for one.
    public var clientCertificatePEM: String?
    public var clientKeyPEM: String?

    /// Verifying against the system roots (plus `additionalTrustRootsPEM`) unless told not to.
    public init(verifyCertificate: Bool = true, additionalTrustRootsPEM: String? = nil, clientCertificatePEM: String? = nil, clientKeyPEM: String? = nil) {
        self.verifyCertificate = verifyCertificate
        self.additionalTrustRootsPEM = additionalTrustRootsPEM
        self.clientCertificatePEM = clientCertificatePEM
        self.clientKeyPEM = clientKeyPEM
    }
}
