import Foundation
import OutriggerCore
import RedisComponents
import Testing

@Suite("components/redis.yaml.example")
struct ExampleTests {
    @Test("the commented Redis example loads and both its components start")
    func exampleStarts() async throws {
        try await TestRedis.require()
        let file = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("components/redis.yaml.example")
        var set = ResourceSet()
        try ResourceLoader.load(text: try String(contentsOf: file, encoding: .utf8), file: file.path, into: &set)
        #expect(set.components.map(\.type) == ["pubsub.redis", "bindings.redis"])
        for spec in set.components {
            var properties: [String: String] = [:]
            for item in spec.metadata { if case .plain(let value) = item.value { properties[item.name] = value } }
            let metadata = ComponentMetadata(name: spec.name, type: spec.type, appID: "orders", properties: properties)
            let component: any Component = spec.type == "pubsub.redis" ? try await RedisPubSub.start(metadata: metadata) : try await RedisBinding.start(metadata: metadata)
            try await component.close()
        }
    }
}
