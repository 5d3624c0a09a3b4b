import OutriggerCore
@testable import RedisComponents
import Testing

@Suite("pubsub.redis and bindings.redis metadata")
struct MetadataTests {
    /// The field a start-up error names for `properties` (redisHost given unless overridden).
    private func failingField(_ properties: [String: String], type: String = "pubsub.redis") -> String? {
        let metadata = ComponentMetadata(name: "m", type: type, properties: ["redisHost": "127.0.0.1:6379"].merging(properties) { $1 })
        do {
            if type == "pubsub.redis" { _ = try RedisPubSub(metadata: metadata) } else { _ = try RedisBinding(metadata: metadata) }
            return nil
        } catch let error as ComponentConfigurationError {
            return error.field
        } catch {
            return "unexpected \(error)"
        }
    }

    @Test("a missing redisHost names redisHost, for both components")
    func missingHost() {
        #expect(failingField(["redisHost": ""]) == "redisHost")
        #expect(failingField(["redisHost": ""], type: "bindings.redis") == "redisHost")
    }

    @Test("malformed values name their field", arguments: [
        ("redisHost", "127.0.0.1:port"), ("redisHost", "a:1,b:2"), ("redisPort", "70000"), ("redisDB", "one"),
        ("redisDB", "-1"), ("enableTLS", "maybe"), ("processingTimeout", "soon"), ("processingTimeout", "-1s"),
        ("redeliverInterval", "often"), ("queueDepth", "0"), ("concurrency", "x"), ("maxLenApprox", "-5"),
        ("streamTTL", "forever"), ("dialTimeout", "5 seconds"), ("readTimeout", "slow"), ("poolSize", "many"),
        ("redisType", "cluster"), ("failover", "true"), ("useEntraID", "true"), ("useOIDC", "true"),
    ])
    func malformed(field: String, value: String) {
        #expect(failingField([field: value]) == field, "\(field): \(value)")
    }

    @Test("a port in redisHost and a different redisPort conflict; clientCert needs clientKey")
    func conflicts() {
        #expect(failingField(["redisHost": "127.0.0.1:6379", "redisPort": "6380"]) == "redisPort")
        #expect(failingField(["enableTLS": "true", "clientCert": "-----BEGIN CERTIFICATE-----"]) == "clientKey")
    }

    @Test("valid forms are accepted: host with redisPort, bare millisecond numbers, days in streamTTL, Dapr's ignored knobs")
    func accepted() {
        #expect(failingField(["redisHost": "localhost", "redisPort": "6380"]) == nil)
        #expect(failingField(["redisHost": "[::1]:6379"]) == nil)
        #expect(failingField(["processingTimeout": "30000", "redeliverInterval": "0", "streamTTL": "30d", "readTimeout": "-1"]) == nil)
        #expect(failingField(["redisMaxRetries": "3", "redisMinRetryInterval": "8ms", "idleTimeout": "5m", "redisType": "node"]) == nil)
    }

    @Test("defaults are Dapr's; bare numbers in processingTimeout and redeliverInterval are milliseconds")
    func defaults() throws {
        let plain = try RedisPubSubSettings(ComponentMetadata(name: "m", type: "pubsub.redis", properties: ["redisHost": "redis.internal"]))
        #expect(plain.connection.configuration.host == "redis.internal" && plain.connection.configuration.port == 6379)
        #expect(plain.processingTimeout == .seconds(60) && plain.redeliverInterval == .seconds(15))
        #expect(plain.queueDepth == 100 && plain.concurrency == 10 && plain.maxLenApprox == 0 && plain.streamTTL == .zero)
        #expect(plain.connection.configuration.dialTimeout == .seconds(5) && plain.connection.configuration.readTimeout == .seconds(3))
        #expect(plain.connection.poolSize == 2 && plain.consumerID == nil && plain.connection.configuration.tls == nil)
        let given = try RedisPubSubSettings(ComponentMetadata(name: "m", type: "pubsub.redis", properties: [
            "redisHost": "h", "redisPort": "6380", "processingTimeout": "2500", "redeliverInterval": "500", "readTimeout": "-1",
            "streamTTL": "2d", "consumerID": "orders", "enableTLS": "true", "insecureSkipTLSVerify": "true",
        ]))
        #expect(given.connection.configuration.port == 6380)
        #expect(given.processingTimeout == .milliseconds(2500) && given.redeliverInterval == .milliseconds(500))
        #expect(given.connection.configuration.readTimeout == nil && given.streamTTL == .seconds(2 * 86_400))
        #expect(given.consumerID == "orders" && given.connection.configuration.tls?.verifyCertificate == false)
    }

    @Test("start-up against nothing names redisHost; a wrong password names redisPassword")
    func connectionErrors() async throws {
        let nothing = ComponentMetadata(name: "m", type: "pubsub.redis", properties: ["redisHost": "127.0.0.1:1", "dialTimeout": "500ms"])
        let unreachable = await #expect(throws: ComponentConfigurationError.self) { try await RedisPubSub.start(metadata: nothing) }
        #expect(unreachable?.field == "redisHost")
        try await TestRedis.require()
        let wrong = ComponentMetadata(name: "m", type: "bindings.redis", properties: ["redisHost": TestRedis.address, "redisUsername": "nobody", "redisPassword": "wrong"])
        let refused = await #expect(throws: ComponentConfigurationError.self) { try await RedisBinding.start(metadata: wrong) }
        #expect(refused?.field == "redisPassword", "\(String(describing: refused))")
    }
}
