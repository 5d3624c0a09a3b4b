import OutriggerCore
import OutriggerDelivery
import OutriggerTesting
import Synchronization
import Testing

/// The output-binding path shared by the HTTP and gRPC APIs.
@Suite("Binding invoker")
struct BindingInvokerTests {
    /// An output binding that records requests and answers or fails as told.
    final class Target: OutputBinding {
        let operations = ["create", "get"]
        let requests = Mutex<[BindingRequest]>([])
        let failures = Mutex<[any Error]>([])

        func fail(with errors: [any Error]) { failures.withLock { $0 = errors } }

        func invoke(_ request: BindingRequest) async throws -> BindingResponse {
            requests.withLock { $0.append(request) }
            if let error = failures.withLock({ $0.isEmpty ? nil : $0.removeFirst() }) { throw error }
            return BindingResponse(data: Array("done".utf8), metadata: ["key": "value"])
        }

        func close() async throws {}
    }

    func invoker(_ target: Target, resiliencies: [ResiliencySpec] = []) -> BindingInvoker {
        let entry = LoadedComponents.Entry(
            spec: ComponentSpec(name: "files", type: "bindings.test", origin: ResourceOrigin(file: "files.yaml", document: 1)), component: target)
        return BindingInvoker(components: LoadedComponents([entry]), resiliencies: resiliencies)
    }

    func request(_ json: String) throws -> BindingRequest {
        try BindingInvoker.request(fromJSON: Array(json.utf8))
    }

    @Test("a JSON string in data reaches the binding unquoted, other values as their JSON text")
    func dataDecoding() throws {
        #expect(try request(#"{"operation":"create","data":"hello \"you\""}"#).data == Array(#"hello "you""#.utf8))
        #expect(try request(#"{"operation":"create","data":{"a": [1, 2]}}"#).data == Array(#"{"a": [1, 2]}"#.utf8))
        #expect(try request(#"{"operation":"create","data":42}"#).data == Array("42".utf8))
        #expect(try request(#"{"operation":"create","data":null}"#).data.isEmpty)
        #expect(try request(#"{"operation":"create"}"#).data.isEmpty)
    }

    @Test("metadata must be an object of strings")
    func metadataDecoding() throws {
        #expect(try request(#"{"operation":"get","metadata":{"fileName":"a.txt"}}"#).metadata == ["fileName": "a.txt"])
        #expect(throws: BindingInvocationError.self) { try request(#"{"operation":"get","metadata":{"n":1}}"#) }
        #expect(throws: BindingInvocationError.self) { try request(#"{"operation":"get","metadata":[]}"#) }
        #expect(throws: BindingInvocationError.self) { try request("not json") }
    }

    @Test("the binding's answer comes back as it is")
    func success() async throws {
        let target = Target()
        let response = try await invoker(target).invoke("files", BindingRequest(operation: "create", data: Array("x".utf8)))
        #expect(response.data == Array("done".utf8))
        #expect(response.metadata == ["key": "value"])
        #expect(target.requests.withLock { $0.map(\.operation) } == ["create"])
    }

    @Test("errors answer as Dapr's: unknown binding 500, unsupported or missing operation 400 with the list, refusal 400, failure 500")
    func errors() async throws {
        let target = Target()
        let invoker = invoker(target)
        await #expect(throws: BindingInvocationError.notFound("nope")) { try await invoker.invoke("nope", BindingRequest(operation: "create", data: [])) }
        do {
            _ = try await invoker.invoke("files", BindingRequest(operation: "delete", data: []))
            Issue.record("an unsupported operation was accepted")
        } catch {
            #expect(error.httpStatus == 400)
            #expect(error.description.contains("supported operations: create get"))
        }
        await #expect(throws: BindingInvocationError.missingOperation("files", supported: ["create", "get"])) {
            try await invoker.invoke("files", BindingRequest(operation: "", data: []))
        }
        target.fail(with: [InvalidBindingRequest("fileName escapes rootPath")])
        do {
            _ = try await invoker.invoke("files", BindingRequest(operation: "get", data: []))
        } catch {
            #expect(error == .invalidRequest("files", "fileName escapes rootPath"))
            #expect(error.httpStatus == 400)
        }
        target.fail(with: [ComponentError(.retriable, "disk full")])
        do {
            _ = try await invoker.invoke("files", BindingRequest(operation: "create", data: []))
        } catch {
            #expect(error == .failed("files", "disk full"))
            #expect(error.httpStatus == 500)
        }
        #expect(target.requests.withLock { $0.count } == 2, "refused requests never reach the binding")
    }

    @Test("the component's outbound Resiliency policy retries a failed invocation, never a refused one")
    func outboundPolicy() async throws {
        var set = ResourceSet()
        try ResourceLoader.load(text: """
            apiVersion: dapr.io/v1alpha1
            kind: Resiliency
            metadata: {name: r}
            spec:
              policies: {retries: {twice: {policy: constant, duration: 1ms, maxRetries: 2}}}
              targets: {components: {files: {outbound: {retry: twice}}}}
            """, file: "r.yaml", into: &set)
        let spec = try #require(set.resiliencies.first)
        let target = Target()
        target.fail(with: [ComponentError(.retriable, "busy"), ComponentError(.retriable, "busy")])
        let response = try await invoker(target, resiliencies: [spec]).invoke("files", BindingRequest(operation: "create", data: []))
        #expect(response.data == Array("done".utf8))
        #expect(target.requests.withLock { $0.count } == 3)
        target.fail(with: [InvalidBindingRequest("bad"), ComponentError(.retriable, "busy")])
        await #expect(throws: BindingInvocationError.self) {
            try await invoker(target, resiliencies: [spec]).invoke("files", BindingRequest(operation: "create", data: []))
        }
        #expect(target.requests.withLock { $0.count } == 4)
    }
}
