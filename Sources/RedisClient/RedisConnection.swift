import NIOCore
import NIOPosix
import NIOSSL

/// One connection to Redis on a SwiftNIO channel, pipelined: any number of tasks may send at
/// once; commands are written as they come and each caller gets its own reply.
///
/// A connection that breaks fails every outstanding command with
/// ``RedisError/connectionLost(_:)`` (or ``RedisError/timeout(_:)`` when a reply took longer
/// than the read timeout) and stays broken: connecting again is its owner's decision.
public final class RedisConnection: Sendable {
    private let channel: any Channel
    private let handler: NIOLoopBound<RedisChannelHandler>
    /// The server's id for this connection (`CLIENT ID`), asked for by dedicated connections
    /// so that a blocking command can be interrupted (`CLIENT UNBLOCK`).
    public let clientID: Int64?
    /// The default reply timeout of ``send(_:)``.
    public let readTimeout: Duration?

    init(channel: any Channel, handler: NIOLoopBound<RedisChannelHandler>, clientID: Int64?, readTimeout: Duration?) {
        self.channel = channel
        self.handler = handler
        self.clientID = clientID
        self.readTimeout = readTimeout
    }

    /// Connects, authenticates (`AUTH`) and selects the database; the server's or the
    /// network's error when that fails.
    public static func connect(
        _ configuration: RedisConfiguration, eventLoopGroup: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton
    ) async throws(RedisError) -> RedisConnection {
        let connector = try RedisConnector(configuration: configuration, eventLoopGroup: eventLoopGroup)
        return try await connector.connect(askClientID: false)
    }

    /// Whether the channel is still open.
    public var isOpen: Bool { channel.isActive }

    var channelEventLoop: any EventLoop { channel.eventLoop }

    /// Sends `command` and waits for its reply, at most the read timeout.
    public func send(_ command: RedisCommand) async throws(RedisError) -> RedisValue {
        try await send(command, timeout: readTimeout)
    }

    /// Sends `command` and waits for its reply, at most `timeout` (`nil`: no limit).
    public func send(_ command: RedisCommand, timeout: Duration?) async throws(RedisError) -> RedisValue {
        guard channel.eventLoop.inEventLoop else { return try await Self.reply(enqueue(command, timeout: timeout)) }
        // A task running on the channel's loop hands the command to the handler directly and
        // is resumed by its reply: no pipeline write, no promise, no future.
        do {
            return try await withUnsafeThrowingContinuation { continuation in
                if channel.eventLoop.inEventLoop {
                    handler.value.submit(command, timeout: timeout, reply: .continuation(continuation))
                } else {
                    enqueue(command, timeout: timeout).whenComplete { continuation.resume(with: $0) }
                }
            }
        } catch let error as RedisError {
            throw error
        } catch {
            throw .connectionLost("\(error)")
        }
    }

    /// Writes `command` now; the future completes with its reply.
    func enqueue(_ command: RedisCommand, timeout: Duration?) -> EventLoopFuture<RedisValue> {
        let promise = channel.eventLoop.makePromise(of: RedisValue.self)
        // A write on a closed channel never reaches the handler: fail the reply here (a
        // second completion of the promise is ignored).
        channel.writeAndFlush(RedisRequest(command: command, promise: promise, timeout: timeout)).whenFailure { error in
            promise.fail(error as? RedisError ?? .connectionLost("the connection is closed (\(error))"))
        }
        return promise.futureResult
    }

    /// Closes the connection; outstanding commands fail with ``RedisError/connectionLost(_:)``.
    public func close() async {
        try? await channel.close().get()
    }

    /// Starts closing without waiting.
    func closeNow() {
        channel.close(promise: nil)
    }

    static func reply(_ future: EventLoopFuture<RedisValue>) async throws(RedisError) -> RedisValue {
        do {
            return try await future.get()
        } catch let error as RedisError {
            throw error
        } catch {
            throw .connectionLost("\(error)")
        }
    }
}
