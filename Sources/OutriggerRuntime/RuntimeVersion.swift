/// Outrigger's version, reported by `--version` and `/v1.0/metadata`.
public enum RuntimeVersion {
    public static let current = "0.1.0"
}
