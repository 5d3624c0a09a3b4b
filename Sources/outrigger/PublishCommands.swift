import ArgumentParser
import Foundation
import OutriggerRuntime

/// `outrigger publish`: what `dapr publish` does, through a running sidecar's HTTP API.
struct Publish: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "publish",
        abstract: "Publish an event through a running sidecar.",
        discussion: """
            The event goes to POST /v1.0/publish/{pubsub}/{topic} of the sidecar running with \
            --publish-app-id, as if that app had published it. JSON data is sent as \
            application/json (a CloudEvent, with specversion, as application/cloudevents+json); \
            anything else as text/plain.

            Examples:
              outrigger publish --publish-app-id orders --pubsub pubsub --topic orders --data '{"id": 1}'
              outrigger publish -i orders -p pubsub -t orders -f order.json -m '{"rawPayload": "true"}'
            """)

    @Option(name: [.customShort("i"), .customLong("publish-app-id")], help: "The app id of the sidecar that publishes.")
    var appID: String

    @Option(name: [.customShort("p"), .long], help: "The pub/sub component's name.")
    var pubsub: String

    @Option(name: [.customShort("t"), .long], help: "The topic.")
    var topic: String

    @Option(name: [.customShort("d"), .long], help: "The event's data (JSON, or text).")
    var data: String?

    @Option(name: [.customShort("f"), .customLong("data-file")], help: "A file holding the event's data.")
    var dataFile: String?

    @Option(name: [.customShort("m"), .long], help: #"Publish metadata as a JSON object, e.g. '{"ttlInSeconds": "60"}'."#)
    var metadata: String?

    func validate() throws {
        if data != nil, dataFile != nil { throw ValidationError("give --data or --data-file, not both") }
        _ = try ClientInput.metadata(metadata)
    }

    func run() async throws {
        let sidecar = try ClientInput.sidecar(appID: appID)
        let body = try ClientInput.body(data: data, file: dataFile)
        var url = "http://127.0.0.1:\(sidecar.httpPort)/v1.0/publish/\(ClientInput.pathSegment(pubsub))/\(ClientInput.pathSegment(topic))"
        let query = try ClientInput.metadata(metadata).sorted { $0.key < $1.key }
            .map { "metadata.\(ClientInput.queryValue($0.key))=\(ClientInput.queryValue($0.value))" }
        if !query.isEmpty { url += "?" + query.joined(separator: "&") }
        let response = try await SidecarHTTP.post(url, body: body, contentType: ClientInput.contentType(of: body))
        guard response.status / 100 == 2 else { throw ClientFailure(response) }
        print("Event published successfully")
    }
}

/// `outrigger invoke-binding`: `POST /v1.0/bindings/{name}` on a running sidecar.
struct InvokeBinding: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "invoke-binding",
        abstract: "Invoke an output binding through a running sidecar.",
        discussion: """
            Sends {"operation", "data", "metadata"} to POST /v1.0/bindings/{name} and prints the \
            binding's answer. JSON data is sent as JSON; anything else as a string. Without \
            --app-id the only running sidecar is used.

            Example:
              outrigger invoke-binding --name store --operation create --data '{"id": 1}' -m '{"key": "order-1"}'
            """)

    @Option(name: [.customShort("n"), .long], help: "The output binding's name.")
    var name: String

    @Option(name: [.customShort("o"), .long], help: "The operation, e.g. create, get, delete.")
    var operation: String = "create"

    @Option(name: [.customShort("a"), .customLong("app-id")], help: "The app id of the sidecar to use.")
    var appID: String?

    @Option(name: [.customShort("d"), .long], help: "The request's data (JSON, or text).")
    var data: String?

    @Option(name: [.customShort("f"), .customLong("data-file")], help: "A file holding the request's data.")
    var dataFile: String?

    @Option(name: [.customShort("m"), .long], help: #"Request metadata as a JSON object, e.g. '{"key": "k1"}'."#)
    var metadata: String?

    func validate() throws {
        if data != nil, dataFile != nil { throw ValidationError("give --data or --data-file, not both") }
        _ = try ClientInput.metadata(metadata)
    }

    func run() async throws {
        let sidecar = try ClientInput.sidecar(appID: appID)
        let bytes = try ClientInput.body(data: data, file: dataFile)
        var request: [String: Any] = ["operation": operation, "metadata": try ClientInput.metadata(metadata)]
        if !bytes.isEmpty {
            request["data"] = (try? JSONSerialization.jsonObject(with: Data(bytes), options: [.fragmentsAllowed]))
                ?? String(decoding: bytes, as: UTF8.self)
        }
        let body = [UInt8](try JSONSerialization.data(withJSONObject: request, options: [.sortedKeys]))
        let url = "http://127.0.0.1:\(sidecar.httpPort)/v1.0/bindings/\(ClientInput.pathSegment(name))"
        let response = try await SidecarHTTP.post(url, body: body, contentType: "application/json")
        guard response.status / 100 == 2 else { throw ClientFailure(response) }
        if !response.body.isEmpty {
            FileHandle.standardOutput.write(Data(response.body))
            if response.body.last != UInt8(ascii: "\n") { print() }
        }
    }
}
