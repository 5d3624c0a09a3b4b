import Foundation
import MQTTClient
@testable import MQTTComponents
import OutriggerCore
import Testing

@Suite("mqtt3 metadata")
struct MQTTSettingsTests {
    static let pem = "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n"
    static let keyPEM = "-----BEGIN PRIVATE KEY-----\nMIIE\n-----END PRIVATE KEY-----\n"

    func metadata(_ properties: [String: String], type: String = "pubsub.mqtt3", appID: String = "app") -> ComponentMetadata {
        ComponentMetadata(name: "mqtt", type: type, appID: appID, properties: properties)
    }

    func field(of body: () throws -> Void) -> String? {
        do {
            try body()
            return nil
        } catch let error as ComponentConfigurationError {
            return error.field
        } catch {
            return "unexpected \(error)"
        }
    }

    @Test("Dapr's defaults: qos 1, retain false, cleanSession false, consumerID the app id")
    func defaults() throws {
        let settings = try MQTTSettings(metadata(["url": "tcp://broker"]))
        #expect(settings.qos == 1)
        #expect(!settings.retain)
        #expect(!settings.cleanSession)
        #expect(settings.consumerID == "app")
        #expect(settings.host == "broker")
        #expect(settings.port == 1883)
        #expect(!settings.useTLS)
    }

    @Test("url schemes: mqtt is tcp; ssl, mqtts, tcps and tls are TLS with port 8883 by default")
    func schemes() throws {
        #expect(try MQTTSettings(metadata(["url": "mqtt://h:1884"])).useTLS == false)
        for scheme in ["ssl", "mqtts", "tcps", "tls"] {
            let settings = try MQTTSettings(metadata(["url": "\(scheme)://h"]))
            #expect(settings.useTLS)
            #expect(settings.port == 8883)
        }
    }

    @Test("credentials in the url become the MQTT username and password, percent-decoded")
    func credentials() throws {
        let settings = try MQTTSettings(metadata(["url": "tcp://user:p%40ss@h:1883"]))
        #expect(settings.username == "user")
        #expect(settings.password == "p@ss")
        let configuration = settings.configuration(clientID: "c", tls: nil)
        #expect(configuration.username == "user")
        #expect(configuration.password == "p@ss")
    }

    @Test("a missing or malformed url is an error naming url")
    func badURL() {
        #expect(field { _ = try MQTTSettings(metadata([:])) } == "url")
        #expect(field { _ = try MQTTSettings(metadata(["url": "http://h"])) } == "url")
        #expect(field { _ = try MQTTSettings(metadata(["url": "tcp://"])) } == "url")
    }

    @Test("no consumerID and no app id is an error naming consumerID")
    func consumerIDRequired() {
        #expect(field { _ = try MQTTSettings(metadata(["url": "tcp://h"], appID: "")) } == "consumerID")
        #expect((try? MQTTSettings(metadata(["url": "tcp://h", "consumerID": "mine"], appID: "")))?.consumerID == "mine")
    }

    @Test("qos outside 0...2 is an error naming qos; the binding ignores qos and uses 1")
    func qos() throws {
        #expect(field { _ = try MQTTSettings(metadata(["url": "tcp://h", "qos": "3"])) } == "qos")
        #expect(try MQTTSettings(metadata(["url": "tcp://h", "qos": "0"])).qos == 0)
        #expect(try MQTTSettings(metadata(["url": "tcp://h", "qos": "0"]), qosConfigurable: false).qos == 1)
    }

    @Test("cleanSession and retain are read as booleans; anything else names the field")
    func booleans() throws {
        let settings = try MQTTSettings(metadata(["url": "tcp://h", "cleanSession": "true", "retain": "true"]))
        #expect(settings.cleanSession)
        #expect(settings.retain)
        #expect(field { _ = try MQTTSettings(metadata(["url": "tcp://h", "cleanSession": "sometimes"])) } == "cleanSession")
        #expect(settings.configuration(clientID: "c", tls: nil).cleanSession)
    }

    @Test("caCert, clientCert and clientKey must be PEM text, and the client pair comes together")
    func pemFields() {
        #expect(field { _ = try MQTTSettings(metadata(["url": "ssl://h", "caCert": "/etc/ca.pem"])) } == "caCert")
        #expect(field { _ = try MQTTSettings(metadata(["url": "ssl://h", "clientCert": Self.pem])) } == "clientKey")
        #expect(field { _ = try MQTTSettings(metadata(["url": "ssl://h", "clientKey": Self.keyPEM])) } == "clientCert")
        #expect(field { _ = try MQTTSettings(metadata(["url": "ssl://h", "caCert": Self.pem, "clientCert": Self.pem, "clientKey": Self.keyPEM])) } == nil)
    }

    @Test("ssl:// with PEM metadata connects with files holding exactly that PEM, removed on close")
    func tlsFiles() throws {
        let settings = try MQTTSettings(metadata(["url": "ssl://h", "caCert": Self.pem, "clientCert": Self.pem, "clientKey": Self.keyPEM]))
        let files = try #require(try MQTTTLSFiles(caCert: settings.caCert, clientCert: settings.clientCert, clientKey: settings.clientKey))
        let tls = try #require(settings.configuration(clientID: "c", tls: files).tls)
        #expect(try String(contentsOfFile: try #require(tls.caFile), encoding: .utf8) == Self.pem)
        #expect(try String(contentsOfFile: try #require(tls.certificateFile), encoding: .utf8) == Self.pem)
        #expect(try String(contentsOfFile: try #require(tls.keyFile), encoding: .utf8) == Self.keyPEM)
        let permissions = try FileManager.default.attributesOfItem(atPath: try #require(tls.keyFile))[.posixPermissions] as? Int
        #expect(permissions == 0o600)
        files.remove()
        #expect(!FileManager.default.fileExists(atPath: files.directory))
    }

    @Test("ssl:// without a caCert trusts the system's authorities; tcp:// has no TLS")
    func tlsWithoutFiles() throws {
        let secure = try MQTTSettings(metadata(["url": "ssl://h"]))
        #expect(secure.configuration(clientID: "c", tls: nil).tls == MQTTConfiguration.TLSFiles())
        let plain = try MQTTSettings(metadata(["url": "tcp://h", "caCert": Self.pem]))
        #expect(plain.configuration(clientID: "c", tls: nil).tls == nil)
    }

    @Test("bindings.mqtt3 requires topic")
    func bindingTopic() {
        #expect(field { _ = try MQTTBinding(metadata: metadata(["url": "tcp://h", "consumerID": "c"], type: "bindings.mqtt3")) } == "topic")
    }

    @Test("session slots: the lowest free number per key, reused after release")
    func slots() {
        let slots = SessionSlots()
        #expect(slots.acquire("a") == 0)
        #expect(slots.acquire("a") == 1)
        #expect(slots.acquire("b") == 0)
        slots.release("a", slot: 0)
        #expect(slots.acquire("a") == 0)
        #expect(SessionSlots.hash("group\u{0}topic") == SessionSlots.hash("group\u{0}topic"))
        #expect(SessionSlots.hash("group\u{0}topic").count == 8)
    }
}
