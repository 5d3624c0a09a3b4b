import NIOHTTP1
import OutriggerCore

/// What came back from the endpoint, as binding response metadata: Dapr's keys.
enum HTTPBindingResponse {
    /// `statusCode` (`"404"`), `status` (`"404 Not Found"`) and every response header under its
    /// canonical name (`Content-Type`), repeated headers joined with `", "`.
    static func metadata(status: HTTPResponseStatus, headers: HTTPHeaders) -> [String: String] {
        var metadata: [String: String] = [:]
        for (name, value) in headers {
            let key = CanonicalHeaderName.of(name)
            if let earlier = metadata[key] {
                metadata[key] = earlier + ", " + value
            } else {
                metadata[key] = value
            }
        }
        metadata["statusCode"] = String(status.code)
        metadata["status"] = statusLine(status)
        return metadata
    }

    /// `"200 OK"`: the code and its reason phrase, like Go's `Response.Status`.
    static func statusLine(_ status: HTTPResponseStatus) -> String {
        status.reasonPhrase.isEmpty ? String(status.code) : "\(status.code) \(status.reasonPhrase)"
    }

    /// The failure for a non-2xx answer when `errorIfNot2XX` holds: retriable for 408, 429 and
    /// 5xx (the endpoint may answer differently later), terminal otherwise.
    static func failure(method: String, url: String, status: HTTPResponseStatus, body: [UInt8]) -> ComponentError {
        var message = "received status code \(status.code) (\(statusLine(status))) from \(method) \(url)"
        let excerpt = self.excerpt(body)
        if !excerpt.isEmpty { message += ": " + excerpt }
        let retriable = status.code >= 500 || status.code == 408 || status.code == 429
        return ComponentError(retriable ? .retriable : .terminal, message)
    }

    /// At most the first 256 bytes of a body as text, invalid UTF-8 repaired, marked when cut.
    static func excerpt(_ body: [UInt8], limit: Int = 256) -> String {
        guard body.count > limit else { return String(decoding: body, as: UTF8.self) }
        var cut = limit
        // Do not end inside a UTF-8 sequence: back up over continuation bytes.
        while cut > 0, body[cut] & 0xC0 == 0x80 { cut -= 1 }
        return String(decoding: body[..<cut], as: UTF8.self) + "… (\(body.count) bytes)"
    }
}
