import HummingbirdCore
import NIOCore

extension HTTPAPIServer {
    /// The HTTP/1.1 server settings that keep slow or stalled clients from holding connections
    /// (`--http-read-timeout`): a request head must arrive within `readTimeout` of the connection
    /// opening or of the previous response, a body may pause at most that long and must be
    /// complete that long after its head, and an idle keep-alive connection is closed after it.
    public static func http1Configuration(readTimeout: Duration) -> HTTP1Channel.Configuration {
        let limit = TimeAmount(readTimeout)
        return HTTP1Channel.Configuration(additionalChannelHandlers: [RequestBodyDeadline(limit: limit)], idleTimeout: limit)
    }
}
