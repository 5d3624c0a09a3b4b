import Foundation
import NIOCore
import NIOHTTP1
import NIOPosix
import NIOSSL

/// A minimal HTTP/1.1 server on 127.0.0.1 (a free port) for the binding's tests.
///
/// Every request is answered with JSON `{"method", "path", "headers": [[name, value]…], "body"}`,
/// except:
/// - `/status/<code>…`: that status (the JSON body as usual);
/// - `/big/<n>`: `n` bytes of `x`;
/// - `/headers`: adds `X-Multi: one`, `X-Multi: two` and `x-lower-case: yes` to the answer;
/// - `/never`: no answer at all (the connection stays open until the server stops).
final class EchoServer: Sendable {
    let port: Int
    private let channel: any Channel

    private init(channel: any Channel) {
        self.channel = channel
        self.port = channel.localAddress?.port ?? 0
    }

    /// Starts listening; with `tls`, every connection is TLS first.
    static func start(tls: TLSConfiguration? = nil) async throws -> EchoServer {
        let context = try tls.map { try NIOSSLContext(configuration: $0) }
        let channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    if let context {
                        try channel.pipeline.syncOperations.addHandler(NIOSSLServerHandler(context: context))
                    }
                    try channel.pipeline.syncOperations.configureHTTPServerPipeline()
                    try channel.pipeline.syncOperations.addHandler(EchoHandler())
                }
            }
            .bind(host: "127.0.0.1", port: 0)
            .get()
        return EchoServer(channel: channel)
    }

    /// The base URL, e.g. `http://127.0.0.1:43123`.
    func url(scheme: String = "http", host: String = "127.0.0.1") -> String {
        "\(scheme)://\(host):\(port)"
    }

    func stop() async throws {
        try await channel.close()
    }
}

/// What the echo server saw, decoded from its JSON answer.
struct EchoedRequest {
    var method: String
    var path: String
    var headers: [(name: String, value: String)]
    var body: String

    init(_ data: [UInt8]) throws {
        guard let object = try JSONSerialization.jsonObject(with: Data(data)) as? [String: Any],
              let method = object["method"] as? String, let path = object["path"] as? String,
              let pairs = object["headers"] as? [[String]], let body = object["body"] as? String
        else { throw EchoDecodingError(text: String(decoding: data, as: UTF8.self)) }
        self.method = method
        self.path = path
        self.headers = pairs.map { ($0[0], $0[1]) }
        self.body = body
    }

    /// Every value of a header, name compared without case.
    func values(_ name: String) -> [String] {
        headers.filter { $0.name.lowercased() == name.lowercased() }.map(\.value)
    }
}

struct EchoDecodingError: Error, CustomStringConvertible {
    var text: String
    var description: String { "not an echo: \(text)" }
}

private final class EchoHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    private var head: HTTPRequestHead?
    private var body: [UInt8] = []

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let head):
            self.head = head
            body = []
        case .body(let buffer):
            body.append(contentsOf: buffer.readableBytesView)
        case .end:
            guard let head else { return }
            respond(to: head, context: context)
            self.head = nil
        }
    }

    private func respond(to head: HTTPRequestHead, context: ChannelHandlerContext) {
        if head.uri.hasPrefix("/never") { return }
        var status = HTTPResponseStatus.ok
        var headers = HTTPHeaders([("Content-Type", "application/json")])
        var payload: [UInt8]
        if head.uri.hasPrefix("/big/"), let size = Int(head.uri.dropFirst(5)) {
            payload = Array(repeating: UInt8(ascii: "x"), count: size)
            headers.replaceOrAdd(name: "Content-Type", value: "text/plain")
        } else {
            if head.uri.hasPrefix("/status/"), let code = Int(head.uri.dropFirst(8).prefix(3)) {
                status = HTTPResponseStatus(statusCode: code)
            }
            if head.uri == "/headers" {
                headers.add(name: "X-Multi", value: "one")
                headers.add(name: "X-Multi", value: "two")
                headers.add(name: "x-lower-case", value: "yes")
            }
            let echo: [String: Any] = [
                "method": head.method.rawValue,
                "path": head.uri,
                "headers": head.headers.map { [$0.name, $0.value] },
                "body": String(decoding: body, as: UTF8.self),
            ]
            payload = Array((try? JSONSerialization.data(withJSONObject: echo)) ?? Data())
        }
        headers.add(name: "Content-Length", value: String(payload.count))
        context.write(wrapOutboundOut(.head(HTTPResponseHead(version: head.version, status: status, headers: headers))), promise: nil)
        if head.method != .HEAD {
            context.write(wrapOutboundOut(.body(.byteBuffer(context.channel.allocator.buffer(bytes: payload)))), promise: nil)
        }
        context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
    }
}
