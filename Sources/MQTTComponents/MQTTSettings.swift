import Foundation
import MQTTClient
import OutriggerCore

/// The metadata `pubsub.mqtt3` and `bindings.mqtt3` share, named and defaulted as Dapr's
/// components of the same types.
///
/// | field | default | meaning |
/// |---|---|---|
/// | `url` | required | `tcp://[user:password@]host[:port]` or `ssl://...` (`mqtt://` = tcp, `mqtts://`, `tcps://`, `tls://` = ssl); port 1883 / 8883 when absent |
/// | `consumerID` | the app id | prefix of every MQTT client id the component uses |
/// | `qos` | 1 | 0, 1 or 2 for publishes and subscriptions (pub/sub only; the binding always uses 1) |
/// | `retain` | false | publishes are retained by the broker (publish metadata `retain` overrides) |
/// | `cleanSession` | false | false: persistent sessions, so QoS 1 messages wait in the broker while the sidecar is down |
/// | `caCert`, `clientCert`, `clientKey` | none | PEM text (not file paths) for `ssl://` |
public struct MQTTSettings: Sendable, Equatable {
    /// From `url`.
    public var host: String
    /// From `url`; 1883, or 8883 for TLS, when it has none.
    public var port: Int
    /// `url` is `ssl://` (or `mqtts://`, `tcps://`, `tls://`).
    public var useTLS: Bool
    /// From `url`'s user information, percent-decoded.
    public var username: String?
    public var password: String?
    /// `consumerID`, else the app id: the prefix of the component's client ids.
    public var consumerID: String
    /// `qos` (0–2, default 1); always 1 for the binding.
    public var qos: Int
    /// `retain` (default false).
    public var retain: Bool
    /// `cleanSession` (default false: persistent sessions).
    public var cleanSession: Bool
    /// `caCert`, `clientCert`, `clientKey`: PEM text.
    public var caCert: String?
    public var clientCert: String?
    public var clientKey: String?

    /// Reads and checks every field; a wrong or missing one throws naming it.
    public init(_ metadata: ComponentMetadata, qosConfigurable: Bool = true) throws(ComponentConfigurationError) {
        let url = try metadata.required("url")
        let endpoint = try Self.parse(url: url, component: metadata.name)
        host = endpoint.host
        port = endpoint.port
        useTLS = endpoint.tls
        username = endpoint.username
        password = endpoint.password
        guard let consumerID = metadata["consumerID"].flatMap({ $0.isEmpty ? nil : $0 }) ?? (metadata.appID.isEmpty ? nil : metadata.appID) else {
            throw ComponentConfigurationError(component: metadata.name, field: "consumerID", reason: "is required (it defaults to the app id, and there is none)")
        }
        self.consumerID = consumerID
        qos = qosConfigurable ? try metadata.int("qos", default: 1, in: 0...2) : 1
        retain = try metadata.bool("retain", default: false)
        cleanSession = try metadata.bool("cleanSession", default: false)
        caCert = try Self.pem(metadata, "caCert")
        clientCert = try Self.pem(metadata, "clientCert")
        clientKey = try Self.pem(metadata, "clientKey")
        if (clientCert == nil) != (clientKey == nil) {
            let missing = clientCert == nil ? "clientCert" : "clientKey"
            throw ComponentConfigurationError(component: metadata.name, field: missing, reason: "is required when \(missing == "clientCert" ? "clientKey" : "clientCert") is set")
        }
    }

    /// `host:port`, for messages.
    public var address: String { "\(useTLS ? "ssl" : "tcp")://\(host):\(port)" }

    /// The client configuration for one connection of the component.
    func configuration(clientID: String, cleanSession: Bool? = nil, tls: MQTTTLSFiles?) -> MQTTConfiguration {
        MQTTConfiguration(
            host: host, port: port, clientID: clientID, cleanSession: cleanSession ?? self.cleanSession,
            username: username, password: password, tls: useTLS ? (tls?.files ?? .init()) : nil)
    }

    struct Endpoint: Equatable {
        var host: String
        var port: Int
        var tls: Bool
        var username: String?
        var password: String?
    }

    /// Splits a broker URL the way Dapr reads it (schemes `tcp`/`mqtt` and `ssl`/`mqtts`/`tcps`/`tls`).
    static func parse(url: String, component: String) throws(ComponentConfigurationError) -> Endpoint {
        func invalid(_ reason: String) -> ComponentConfigurationError {
            ComponentConfigurationError(component: component, field: "url", reason: reason)
        }
        guard let parts = URLComponents(string: url), let scheme = parts.scheme?.lowercased() else {
            throw invalid("must look like tcp://host:1883 or ssl://host:8883, got '\(url)'")
        }
        let tls: Bool
        switch scheme {
        case "tcp", "mqtt": tls = false
        case "ssl", "mqtts", "tcps", "tls": tls = true
        default: throw invalid("has scheme '\(scheme)'; use tcp:// (or mqtt://) or ssl:// (or mqtts://, tcps://, tls://)")
        }
        guard let host = parts.host, !host.isEmpty else { throw invalid("names no host: '\(url)'") }
        let port = parts.port ?? (tls ? 8883 : 1883)
        guard (1...65535).contains(port) else { throw invalid("has port \(port), outside 1...65535") }
        let username = parts.user.flatMap { $0.isEmpty ? nil : ($0.removingPercentEncoding ?? $0) }
        let password = parts.password.flatMap { $0.isEmpty ? nil : ($0.removingPercentEncoding ?? $0) }
        return Endpoint(host: host, port: port, tls: tls, username: username, password: password)
    }

    /// A PEM field: absent, or text with a `-----BEGIN` block.
    static func pem(_ metadata: ComponentMetadata, _ field: String) throws(ComponentConfigurationError) -> String? {
        guard let value = metadata[field], !value.isEmpty else { return nil }
        guard value.contains("-----BEGIN"), value.contains("-----END") else {
            throw ComponentConfigurationError(component: metadata.name, field: field, reason: "must be PEM text (-----BEGIN ... -----END ...), not a file name")
        }
        return value
    }
}
