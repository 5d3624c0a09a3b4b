@testable import HTTPBinding
import OutriggerCore
import OutriggerTesting
import Testing

func httpMetadata(_ properties: [String: String]) -> ComponentMetadata {
    ComponentMetadata(name: "http-test", type: "bindings.http", properties: properties)
}

@Suite("bindings.http metadata")
struct HTTPBindingMetadataTests {
    @Test("url is required")
    func urlRequired() {
        #expect(failingField { _ = try HTTPBindingMetadata(httpMetadata([:])) } == "url")
    }

    @Test("a url that is not http or https is a start-up error naming url")
    func urlScheme() {
        #expect(failingField { _ = try HTTPBindingMetadata(httpMetadata(["url": "ftp://example.com"])) } == "url")
    }

    @Test("defaults: 100Mi body limit, errors on non-2xx, no timeout, no token")
    func defaults() throws {
        let settings = try HTTPBindingMetadata(httpMetadata(["url": "http://example.com"]))
        #expect(settings.maxResponseBodySize == 104_857_600)
        #expect(settings.errorIfNot2XX)
        #expect(settings.responseTimeout == nil)
        #expect(settings.securityToken == nil)
    }

    @Test("maxResponseBodySize takes Dapr's quantities", arguments: [
        ("100", 100), ("1k", 1000), ("10Ki", 10240), ("1M", 1_000_000), ("2Mi", 2_097_152), ("1.5Ki", 1536), ("1e3", 1000),
    ])
    func byteSizes(text: String, bytes: Int) throws {
        let settings = try HTTPBindingMetadata(httpMetadata(["url": "http://example.com", "maxResponseBodySize": text]))
        #expect(settings.maxResponseBodySize == bytes)
    }

    @Test("maxResponseBodySize of zero or less means no limit", arguments: ["0", "-1"])
    func noLimit(text: String) throws {
        let settings = try HTTPBindingMetadata(httpMetadata(["url": "http://example.com", "maxResponseBodySize": text]))
        #expect(settings.maxResponseBodySize == nil)
    }

    @Test("a malformed maxResponseBodySize is a start-up error naming it", arguments: ["abc", "1K", "10mi", "0.5", "1.5.5"])
    func badByteSize(text: String) {
        #expect(failingField { _ = try HTTPBindingMetadata(httpMetadata(["url": "http://example.com", "maxResponseBodySize": text])) } == "maxResponseBodySize")
    }

    @Test("responseTimeout takes Go durations and bare seconds")
    func timeouts() throws {
        let go = try HTTPBindingMetadata(httpMetadata(["url": "http://example.com", "responseTimeout": "1m30s"]))
        #expect(go.responseTimeout == .seconds(90))
        let bare = try HTTPBindingMetadata(httpMetadata(["url": "http://example.com", "responseTimeout": "5"]))
        #expect(bare.responseTimeout == .seconds(5))
    }

    @Test("a zero or malformed responseTimeout is a start-up error naming it", arguments: ["0", "0s", "soon"])
    func badTimeout(text: String) {
        #expect(failingField { _ = try HTTPBindingMetadata(httpMetadata(["url": "http://example.com", "responseTimeout": text])) } == "responseTimeout")
    }

    @Test("securityToken without securityTokenHeader is a start-up error naming the missing one")
    func tokenWithoutHeader() {
        #expect(failingField { _ = try HTTPBindingMetadata(httpMetadata(["url": "http://example.com", "securityToken": "s3cret"])) } == "securityTokenHeader")
    }

    @Test("errorIfNot2XX must be a boolean")
    func badErrorIfNot2XX() {
        #expect(failingField { _ = try HTTPBindingMetadata(httpMetadata(["url": "http://example.com", "errorIfNot2XX": "maybe"])) } == "errorIfNot2XX")
    }

    @Test("MTLSRenegotiation accepts only Dapr's three values")
    func renegotiation() throws {
        let settings = try HTTPBindingMetadata(httpMetadata(["url": "https://example.com", "MTLSRenegotiation": "RenegotiateOnceAsClient"]))
        #expect(settings.renegotiation == .onceAsClient)
        #expect(failingField { _ = try HTTPBindingMetadata(httpMetadata(["url": "https://example.com", "MTLSRenegotiation": "sometimes"])) } == "MTLSRenegotiation")
    }

    @Test("MTLSClientCert without MTLSClientKey is a start-up error naming the key")
    func certificateWithoutKey() {
        #expect(failingField { _ = try HTTPBindingMetadata(httpMetadata(["url": "https://example.com", "MTLSClientCert": "/tmp/cert.pem"])) } == "MTLSClientKey")
    }

    @Test("an MTLSRootCA that is neither PEM nor a readable file is a start-up error naming it")
    func unreadableRootCA() {
        #expect(failingField { _ = try HTTPBinding(metadata: httpMetadata(["url": "https://example.com", "MTLSRootCA": "/nonexistent/ca.pem"])) } == "MTLSRootCA")
    }

    @Test("an MTLSRootCA with a broken PEM block is a start-up error naming it")
    func brokenPEM() {
        let pem = "-----BEGIN CERTIFICATE-----\nnot base64 at all\n-----END CERTIFICATE-----\n"
        #expect(failingField { _ = try HTTPBinding(metadata: httpMetadata(["url": "https://example.com", "MTLSRootCA": pem])) } == "MTLSRootCA")
    }
}
