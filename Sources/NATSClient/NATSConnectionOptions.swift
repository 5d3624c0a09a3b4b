/// How to reach a NATS server and its JetStream API.
///
/// Reconnecting is not libnats' job here: a broken connection closes, and the owner (a
/// `Supervisor`) makes a new one.
public struct NATSConnectionOptions: Sendable, Equatable {
    /// How the client proves who it is.
    public enum Credentials: Sendable, Equatable {
        case none
        /// A server token (`--auth`).
        case token(String)
        /// Decentralized auth: a user JWT, and the user's NKey seed (`SU...`) that signs the
        /// server's nonce.
        case userJWT(jwt: String, seed: String)
    }

    /// `nats://host:port`, or several separated by commas.
    public var url: String
    /// The connection name the server shows (`CONNECT name`).
    public var name: String
    /// How the client proves who it is.
    public var credentials: Credentials
    /// PEM file of a TLS client certificate; with ``tlsClientKeyFile`` it makes the
    /// connection TLS.
    public var tlsClientCertificateFile: String?
    /// PEM file of the client certificate's key.
    public var tlsClientKeyFile: String?
    /// JetStream domain: the API is `$JS.<domain>.API`.
    public var domain: String?
    /// JetStream API prefix (instead of `$JS.API`); wins over `domain`.
    public var apiPrefix: String?
    /// How long connecting may take.
    public var connectTimeout: Duration
    /// How long a JetStream API request (stream or consumer lookup, creation) may wait.
    public var requestTimeout: Duration
    /// How long a publish waits for its PubAck before failing with a timeout.
    public var publishAckTimeout: Duration
    /// Publishes awaiting their PubAck at once; a publish beyond it waits for room.
    public var maxPendingPublishes: Int

    /// Options for `url`; everything else has the defaults shown.
    public init(
        url: String, name: String = "outrigger", credentials: Credentials = .none, tlsClientCertificateFile: String? = nil,
        tlsClientKeyFile: String? = nil, domain: String? = nil, apiPrefix: String? = nil, connectTimeout: Duration = .seconds(2),
        requestTimeout: Duration = .seconds(5), publishAckTimeout: Duration = .seconds(5), maxPendingPublishes: Int = 4096
    ) {
        self.url = url
        self.name = name
        self.credentials = credentials
        self.tlsClientCertificateFile = tlsClientCertificateFile
        self.tlsClientKeyFile = tlsClientKeyFile
        self.domain = domain
        self.apiPrefix = apiPrefix
        self.connectTimeout = connectTimeout
        self.requestTimeout = requestTimeout
        self.publishAckTimeout = publishAckTimeout
        self.maxPendingPublishes = maxPendingPublishes
    }

    /// The subject prefix of the JetStream API these options address.
    public var jetStreamAPIPrefix: String {
        if let apiPrefix, !apiPrefix.isEmpty { return apiPrefix.hasSuffix(".") ? String(apiPrefix.dropLast()) : apiPrefix }
        if let domain, !domain.isEmpty { return "$JS.\(domain).API" }
        return "$JS.API"
    }
}

extension Duration {
    /// Whole milliseconds, at least `minimum`, as libnats takes timeouts.
    func milliseconds(atLeast minimum: Int64 = 1) -> Int64 {
        let (seconds, attoseconds) = components
        return max(seconds * 1000 + attoseconds / 1_000_000_000_000_000, minimum)
    }

    /// Whole nanoseconds, as JetStream configurations take durations.
    var nanoseconds: Int64 {
        let (seconds, attoseconds) = components
        return seconds * 1_000_000_000 + attoseconds / 1_000_000_000
    }
}
