import NIOCore
import NIOHTTP1
import NIOPosix

/// One keep-alive HTTP/1.1 connection to the app, carrying one request at a time (no pipelining).
///
/// ``AppHTTPClient`` leases it to one request at a time; the connection itself only runs the
/// exchange. When an exchange ends in any way but a reusable answer, the connection is closed and
/// ``isActive`` turns `false`.
final class AppConnection: Sendable, Identifiable {
    let id: Int
    private let channel: any Channel
    private let collector: NIOLoopBound<HTTPResponseCollector>

    private init(id: Int, channel: any Channel, collector: NIOLoopBound<HTTPResponseCollector>) {
        self.id = id
        self.channel = channel
        self.collector = collector
    }

    /// Connects to `host:port`, giving up after `timeout`.
    static func connect(id: Int, host: String, port: Int, group: any EventLoopGroup, timeout: TimeAmount) async throws -> AppConnection {
        try await ClientBootstrap(group: group)
            .channelOption(.socketOption(.tcp_nodelay), value: 1)
            .connectTimeout(timeout)
            .connect(host: host, port: port) { channel in
                channel.eventLoop.makeCompletedFuture {
                    let collector = HTTPResponseCollector()
                    let pipeline = channel.pipeline.syncOperations
                    // AppHTTPRequest validates headers before a connection is leased; NIO's
                    // validator would only check them a second time.
                    try pipeline.addHTTPClientHandlers(enableOutboundHeaderValidation: false)
                    try pipeline.addHandler(collector)
                    return AppConnection(id: id, channel: channel, collector: NIOLoopBound(collector, eventLoop: channel.eventLoop))
                }
            }
    }

    /// `false` once the connection is closed, by either side.
    var isActive: Bool { channel.isActive }

    /// Completes when the connection has closed.
    var closeFuture: EventLoopFuture<Void> { channel.closeFuture }

    /// Sends `request` and awaits the whole answer, failing with ``AppHTTPClientError/timeout`` at
    /// `deadline` and with `CancellationError` when the calling task is cancelled; both close the
    /// connection.
    func execute(_ request: AppHTTPRequest, maxBodyBytes: Int, deadline: NIODeadline) async throws -> AppHTTPResponse {
        let eventLoop = channel.eventLoop
        let promise = eventLoop.makePromise(of: AppHTTPResponse.self)
        let collector = self.collector
        let timeout = ExchangeDeadline(collector: collector, promise: promise)
        eventLoop.execute {
            collector.value.start(request, maxBodyBytes: maxBodyBytes, deadline: deadline, timeoutHandler: timeout, promise: promise)
        }
        return try await withTaskCancellationHandler {
            try await promise.futureResult.get()
        } onCancel: {
            eventLoop.execute { collector.value.cancel(promise) }
        }
    }

    /// Closes the connection; an exchange in flight fails with ``AppHTTPClientError/connectionClosed``.
    func close() {
        channel.close(promise: nil)
    }
}

/// Fires an exchange's deadline on the event loop.
private struct ExchangeDeadline: NIOScheduledCallbackHandler, Sendable {
    let collector: NIOLoopBound<HTTPResponseCollector>
    let promise: EventLoopPromise<AppHTTPResponse>

    func handleScheduledCallback(eventLoop: some EventLoop) {
        collector.value.deadlinePassed(promise)
    }
}
