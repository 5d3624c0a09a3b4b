/// Outrigger's version, reported by `--version` and `/v1.0/metadata`.
public enum RuntimeVersion {
    public static let current = "0.1.0"
    /// The version of Dapr's HTTP and gRPC APIs the sidecar serves (`/v1.0/...`, `dapr.proto.runtime.v1`).
    public static let daprAPI = "v1.0"
    /// What `outrigger --version` prints.
    public static let banner = "Outrigger version: \(current)\nDapr API version: \(daprAPI)"
}
