extension ComponentMetadata {
    /// `text` (the value of `hostField`: `host`, `host:port`, `[IPv6]` or `[IPv6]:port`) split into
    /// host and port, checked against the separate `portField` (`0` when not set), as Dapr's
    /// components take `redisHost`/`redisPort` or `hostname`/`port`.
    ///
    /// - Returns: the host, and the port from `text`, else from `portField`, else `nil`.
    public func hostAndPort(_ text: String, hostField: String, portField: String) throws(ComponentConfigurationError) -> (host: String, port: Int?) {
        func invalid(_ field: String, _ reason: String) -> ComponentConfigurationError {
            ComponentConfigurationError(component: name, field: field, reason: reason)
        }
        let separatePort = try int(portField, default: 0, in: 0...65535)
        var host = text
        var port: Int?
        if text.hasPrefix("[") {
            guard let close = text.firstIndex(of: "]") else { throw invalid(hostField, "is not host:port: '\(text)'") }
            host = String(text[text.index(after: text.startIndex)..<close])
            let rest = text[text.index(after: close)...]
            if rest.hasPrefix(":") { port = Int(rest.dropFirst()) ?? -1 }
        } else if let colon = text.lastIndex(of: ":"), text.firstIndex(of: ":") == colon {
            host = String(text[..<colon])
            port = Int(text[text.index(after: colon)...]) ?? -1
        }
        if let given = port {
            guard (1...65535).contains(given) else { throw invalid(hostField, "has no valid port: '\(text)'") }
            guard separatePort == 0 || separatePort == given else {
                throw invalid(portField, "is \(separatePort) but \(hostField) '\(text)' already says port \(given); remove one")
            }
        }
        guard !host.isEmpty else { throw invalid(hostField, "has no host: '\(text)'") }
        return (host, port ?? (separatePort == 0 ? nil : separatePort))
    }
}
