import Foundation

/// A percent-encoded segment of a request path, as the app's HTTP client sent it.
///
/// Names in the path (pub/sub, topic, binding, secret store) are percent-decoded as daprd does,
/// so `orders%2Feu` is the topic `orders/eu`. What cannot be a name is a 400 the app can read:
/// a malformed escape, bytes that are not UTF-8, a NUL (which C broker clients would cut the
/// name at), and, for component names, a `/` or `\`.
enum PathParameter {
    /// The decoded `raw` value of the parameter called `name` (for the error message).
    static func decode(_ raw: some StringProtocol, name: String, allowingSlash: Bool = false) throws(APIError) -> String {
        var text = String(raw)
        if text.utf8.contains(UInt8(ascii: "%")) {
            guard let decoded = text.removingPercentEncoding else {
                throw refusal(name, raw, "is not UTF-8 once percent-decoded (or has a '%' without two hex digits)")
            }
            text = decoded
        }
        if text.utf8.contains(0) { throw refusal(name, raw, "contains a NUL byte") }
        if !allowingSlash, text.utf8.contains(where: { $0 == UInt8(ascii: "/") || $0 == UInt8(ascii: "\\") }) {
            throw refusal(name, raw, "contains a path separator, which no component name has")
        }
        return text
    }

    private static func refusal(_ name: String, _ raw: some StringProtocol, _ problem: String) -> APIError {
        .malformed("the \(name) '\(raw)' in the path \(problem)")
    }
}
