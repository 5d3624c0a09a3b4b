/// Everything `outrigger run` was told on its command line.
public struct SidecarConfiguration: Sendable {
    public enum AppProtocol: String, Sendable, CaseIterable {
        case http
        case grpc
    }

    public var appID: String
    public var appPort: Int?
    public var appProtocol: AppProtocol = .http
    public var httpPort: Int = 3500
    public var grpcPort: Int = 50001
    public var metricsPort: Int = 9090
    /// Addresses the HTTP and gRPC APIs listen on (`--dapr-listen-addresses`); loopback by
    /// default, as a sidecar serves its own app. The metrics endpoint listens on the first.
    public var listenAddresses: [String] = ["127.0.0.1"]
    /// Where the app listens (`--app-channel-address`).
    public var appChannelAddress: String = "127.0.0.1"
    public var resourcesPaths: [String] = []
    public var configFile: String?
    public var drainTimeout: Duration = .seconds(5)
    public var appStartupTimeout: Duration = .seconds(30)
    public var appMaxConcurrency: Int?
    public var maxBodySize: Int = 4 << 20
    /// `--http-read-timeout`: how long an HTTP client may take to send a request head, or its
    /// body after the head, and how long an idle keep-alive connection stays open.
    public var httpReadTimeout: Duration = .seconds(60)
    /// `DAPR_API_TOKEN`: every API call (but the health checks) must carry it as `dapr-api-token`.
    public var apiToken: String?
    /// `APP_API_TOKEN`: sent as `dapr-api-token` on every call to the app.
    public var appAPIToken: String?
    /// Apply changed resource files without a restart (hot reload).
    public var watch = false
    /// How often the resources paths are checked for changes when ``watch`` is on.
    public var watchInterval: Duration = .seconds(1)
    /// The app to launch, with its arguments; empty runs the sidecar alone.
    public var command: [String] = []

    public init(appID: String) {
        self.appID = appID
    }
}
