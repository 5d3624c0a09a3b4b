import OutriggerTesting
import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1

/// Small HTTP helpers over AsyncHTTPClient's shared client.
enum HTTP {
    struct Result: Sendable {
        var status: Int
        /// Lower-case names.
        var headers: [String: String]
        var body: [UInt8]
        var text: String { String(decoding: body, as: UTF8.self) }
        var json: JSON? { try? JSON.parse(body) }
    }
}

extension SidecarProcess {
    /// `POST /v1.0/publish/{pubsub}/{topic}` with `metadata.*` query parameters.
    @discardableResult
    func publish(
        pubsub: String = "pubsub", topic: String, body: [UInt8], contentType: String? = "application/json",
        metadata: KeyValuePairs<String, String> = [:], headers: [(String, String)] = []
    ) async throws -> HTTP.Result {
        var components = URLComponents(string: baseURL + "/v1.0/publish/\(pubsub)" + (topic.isEmpty ? "" : "/\(topic)"))!
        if !metadata.isEmpty {
            components.queryItems = metadata.map { URLQueryItem(name: "metadata.\($0.key)", value: $0.value) }
        }
        var allHeaders = headers
        if let contentType { allHeaders.append(("content-type", contentType)) }
        return try await HTTP.request("POST", components.url!.absoluteString, body: body, headers: allHeaders)
    }

    @discardableResult
    func publish(
        pubsub: String = "pubsub", topic: String, json: String,
        metadata: KeyValuePairs<String, String> = [:], headers: [(String, String)] = []
    ) async throws -> HTTP.Result {
        try await publish(pubsub: pubsub, topic: topic, body: Array(json.utf8), contentType: "application/json", metadata: metadata, headers: headers)
    }

    /// Publishes and requires `204`.
    func mustPublish(topic: String, json: String) async throws {
        let response = try await publish(topic: topic, json: json)
        guard response.status == 204 else {
            throw HarnessError("publishing to '\(topic)' answered \(response.status) \(response.text), expected 204")
        }
    }

    func get(_ path: String) async throws -> HTTP.Result {
        try await HTTP.request("GET", baseURL + path)
    }

    /// `GET /v1.0/metadata` as JSON.
    func metadata() async throws -> JSON {
        let response = try await get("/v1.0/metadata")
        guard response.status == 200, let json = response.json else {
            throw HarnessError("GET /v1.0/metadata answered \(response.status): \(response.text)")
        }
        return json
    }

    /// The `deliveries` counters of the subscription to `topic`, from `/v1.0/metadata`.
    func deliveries(topic: String) async throws -> JSON? {
        try await metadata()["subscriptions"]?.array?.first { $0["topic"]?.string == topic }?["deliveries"]
    }

    /// Polls the metadata until the subscription to `topic` has the `deliveries` counters in
    /// `expected` (others are not compared); returns all its counters.
    @discardableResult
    func waitForCounters(topic: String, _ expected: [String: Int], timeout: Duration = .seconds(60)) async throws -> JSON {
        do {
            return try await poll(for: timeout, "deliveries counters \(expected) on '\(topic)'") { [self] () -> JSON? in
                guard let counters = try await deliveries(topic: topic) else { return nil }
                for (name, value) in expected where counters[name]?.number != Double(value) { return nil }
                return counters
            }
        } catch let error as DeadlineExceeded {
            let last = (try? await deliveries(topic: topic))?.description ?? "none"
            throw HarnessError("\(error); last counters: \(last)")
        }
    }
}

extension HTTP {
    /// One request through AsyncHTTPClient's shared client; the whole answer body is collected.
    static func request(
        _ method: String, _ url: String, body: [UInt8]? = nil, headers: [(String, String)] = [],
        timeout: Duration = .seconds(10)
    ) async throws -> Result {
        var request = HTTPClientRequest(url: url)
        request.method = HTTPMethod(rawValue: method)
        for (name, value) in headers { request.headers.add(name: name, value: value) }
        if let body { request.body = .bytes(ByteBuffer(bytes: body)) }
        let response = try await HTTPClient.shared.execute(request, timeout: .milliseconds(Int64(timeout / .milliseconds(1))))
        let collected = try await response.body.collect(upTo: 16 << 20)
        var responseHeaders: [String: String] = [:]
        for (name, value) in response.headers {
            let key = name.lowercased()
            responseHeaders[key] = responseHeaders[key].map { $0 + ", " + value } ?? value
        }
        return Result(status: Int(response.status.code), headers: responseHeaders, body: Array(collected.readableBytesView))
    }
}
