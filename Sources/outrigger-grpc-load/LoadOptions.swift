import ArgumentParser

/// What `load` and `saturate` share: where to publish and how many connections to use.
struct LoadOptions: ParsableArguments {
    @Argument(help: "The gRPC port on 127.0.0.1 (the sidecar's --dapr-grpc-port, or a no-op server's).")
    var port: Int

    @Option(help: "HTTP/2 connections; the requests are spread evenly over them.")
    var connections = 16

    @Option(help: "How long to send, in seconds (after one warm-up request per connection).")
    var seconds = 10.0

    @Option(help: "The pub/sub component the events go to.")
    var pubsub = "pubsub"

    @Option(help: "The topic the events go to.")
    var topic = "orders"

    @Option(help: "Where the client's tasks run: event-loop (SwiftNIO's loops, as the sidecar serves) or pool (Swift's cooperative pool).")
    var executor = ExecutorChoice.eventLoop

    @Option(help: "The client: grpc-swift (grpc-swift 2's Dapr client) or nio-h2 (bare SwiftNIO HTTP/2, the client's own cost as small as it gets).")
    var client = ClientChoice.grpcSwift

    func validate() throws {
        guard connections > 0 else { throw ValidationError("--connections must be at least 1") }
        guard seconds > 0 else { throw ValidationError("--seconds must be positive") }
    }
}
