import OutriggerCore
import RedisClient
import RedisComponents
import Testing

@Suite("bindings.redis operations")
struct BindingTests {
    private func binding() async throws -> RedisBinding {
        try await RedisBinding.start(metadata: TestRedis.metadata([:], type: "bindings.redis"))
    }

    @discardableResult
    private func invoke(_ binding: RedisBinding, _ operation: String, _ data: String, _ metadata: [String: String]) async throws -> BindingResponse {
        try await binding.invoke(BindingRequest(operation: operation, data: Array(data.utf8), metadata: metadata))
    }

    @discardableResult
    private func invoke(_ binding: RedisBinding, _ operation: String, _ metadata: [String: String]) async throws -> BindingResponse {
        try await invoke(binding, operation, "", metadata)
    }

    @Test("offers create, get, delete and increment")
    func operations() async throws {
        try await TestRedis.require()
        let binding = try await binding()
        #expect(binding.operations == ["create", "get", "delete", "increment"])
        try await binding.ping()
        try await binding.close()
    }

    @Test("create stores the bytes, get answers them, delete removes the key, get of a missing key answers nothing")
    func createGetDelete() async throws {
        try await TestRedis.require()
        let binding = try await binding()
        let key = TestRedis.uniqueTopic("key")
        try await invoke(binding, "create", "value \u{0}1", ["key": key])
        #expect(try await invoke(binding, "get", ["key": key]).data == Array("value \u{0}1"))
        try await invoke(binding, "delete", ["key": key])
        #expect(try await invoke(binding, "get", ["key": key]).data.isEmpty)
        try await binding.close()
    }

    @Test("get with delete: true reads and removes the key (GETDEL)")
    func getDelete() async throws {
        try await TestRedis.require()
        let binding = try await binding()
        let key = TestRedis.uniqueTopic("getdel")
        try await invoke(binding, "create", "once", ["key": key])
        #expect(try await invoke(binding, "get", ["key": key, "delete": "true"]).data == Array("once"))
        #expect(try await invoke(binding, "get", ["key": key]).data.isEmpty)
        try await binding.close()
    }

    @Test("ttlInSeconds (or ttl) makes the key expire; a bad one is refused as a bad request")
    func ttl() async throws {
        try await TestRedis.require()
        let binding = try await binding()
        let inspector = try await TestRedis.inspector()
        let key = TestRedis.uniqueTopic("ttl")
        try await invoke(binding, "create", "v", ["key": key, "ttlInSeconds": "100"])
        let ttl = try await inspector.send(RedisCommand("TTL", key)).integer ?? -1
        #expect((90...100).contains(ttl), "TTL \(ttl)")
        try await invoke(binding, "increment", ["key": key + "-n", "ttl": "2m"])
        let counterTTL = try await inspector.send(RedisCommand("TTL", key + "-n")).integer ?? -1
        #expect((110...120).contains(counterTTL), "TTL \(counterTTL)")
        await #expect(throws: InvalidBindingRequest.self) { try await invoke(binding, "create", "v", ["key": key, "ttlInSeconds": "soon"]) }
        await #expect(throws: InvalidBindingRequest.self) { try await invoke(binding, "create", "v", ["key": key, "ttlInSeconds": "0"]) }
        _ = try await inspector.send(RedisCommand("DEL", key, key + "-n"))
        await inspector.close()
        try await binding.close()
    }

    @Test("increment counts up from nothing and answers nothing, as Dapr")
    func increment() async throws {
        try await TestRedis.require()
        let binding = try await binding()
        let key = TestRedis.uniqueTopic("counter")
        for _ in 1...3 { #expect(try await invoke(binding, "increment", ["key": key]).data.isEmpty) }
        #expect(try await invoke(binding, "get", ["key": key]).data == Array("3"))
        try await invoke(binding, "delete", ["key": key])
        try await binding.close()
    }

    @Test("a request without key is a bad request; a server refusal is the binding's failure")
    func refusals() async throws {
        try await TestRedis.require()
        let binding = try await binding()
        await #expect(throws: InvalidBindingRequest.self) { try await invoke(binding, "get", [:]) }
        let key = TestRedis.uniqueTopic("text")
        try await invoke(binding, "create", "not a number", ["key": key])
        let error = await #expect(throws: ComponentError.self) { try await invoke(binding, "increment", ["key": key]) }
        #expect(error?.message.contains("not an integer") == true, "\(String(describing: error))")
        try await invoke(binding, "delete", ["key": key])
        try await binding.close()
    }
}
