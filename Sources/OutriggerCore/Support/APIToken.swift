/// The header (HTTP) and metadata key (gRPC) that carries an API token, both ways
/// (`DAPR_API_TOKEN` from the app, `APP_API_TOKEN` to the app).
public let apiTokenHeader = "dapr-api-token"

/// Compares tokens in time that does not depend on where they differ.
public enum APITokenCheck {
    public static func matches(_ given: String, _ expected: String) -> Bool {
        let a = Array(given.utf8), b = Array(expected.utf8)
        var difference = UInt8(a.count == b.count ? 0 : 1)
        for index in 0..<max(a.count, b.count) {
            difference |= (index < a.count ? a[index] : 0) ^ (index < b.count ? b[index] : 0)
        }
        return difference == 0
    }
}
