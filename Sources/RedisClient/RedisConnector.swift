import CLibraryLoader
import NIOCore
import NIOPosix
import NIOSSL

/// Opens connections with one configuration; the TLS context is made once and shared.
struct RedisConnector: Sendable {
    let configuration: RedisConfiguration
    let eventLoopGroup: any EventLoopGroup
    private let sslContext: NIOSSLContext?

    init(configuration: RedisConfiguration, eventLoopGroup: any EventLoopGroup) throws(RedisError) {
        self.configuration = configuration
        self.eventLoopGroup = eventLoopGroup
        sslContext = try configuration.tls?.makeContext()
    }

    /// A connected, authenticated connection with its database selected; `askClientID` also
    /// learns its `CLIENT ID`. `eventLoop` pins the connection to one loop of the group.
    func connect(askClientID: Bool, on eventLoop: (any EventLoop)? = nil) async throws(RedisError) -> RedisConnection {
        // hiredis reads and writes RESP for every connection's handler.
        if let failure = outrigger_load_hiredis() { throw .connectFailed(String(cString: failure)) }
        let host = configuration.host
        let sslContext = sslContext
        // SNI takes a name, never an address.
        let serverName = host.contains(":") || host.allSatisfy({ $0.isNumber || $0 == "." }) ? nil : host
        let bootstrap = ClientBootstrap(group: eventLoop ?? eventLoopGroup)
            .connectTimeout(TimeAmount(configuration.dialTimeout))
            .channelOption(ChannelOptions.socketOption(.tcp_nodelay), value: 1)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    if let sslContext {
                        try channel.pipeline.syncOperations.addHandler(NIOSSLClientHandler(context: sslContext, serverHostname: serverName))
                    }
                    try channel.pipeline.syncOperations.addHandler(RedisChannelHandler())
                }
            }
        let channel: any Channel
        do {
            channel = try await bootstrap.connect(host: host, port: configuration.port).get()
        } catch {
            throw .connectFailed("\(host):\(configuration.port): \(error)")
        }
        let handler: NIOLoopBound<RedisChannelHandler>
        do {
            handler = try await channel.eventLoop.submit {
                NIOLoopBound(try channel.pipeline.syncOperations.handler(type: RedisChannelHandler.self), eventLoop: channel.eventLoop)
            }.get()
        } catch {
            try? await channel.close()
            throw .connectFailed("\(host):\(configuration.port): \(error)")
        }
        let handshake = RedisConnection(
            channel: channel, handler: handler, clientID: nil, readTimeout: configuration.readTimeout ?? configuration.dialTimeout)
        do {
            let clientID = try await introduce(handshake, askClientID: askClientID)
            return RedisConnection(channel: channel, handler: handler, clientID: clientID, readTimeout: configuration.readTimeout)
        } catch {
            await handshake.close()
            switch error {
            case .server: throw error
            default: throw .connectFailed("\(host):\(configuration.port): \(error)")
            }
        }
    }

    /// `AUTH`, `SELECT` and `CLIENT ID`, pipelined; a `PING` when none applies, so that a
    /// server that does not speak Redis (or a failed TLS handshake) shows at once.
    private func introduce(_ connection: RedisConnection, askClientID: Bool) async throws(RedisError) -> Int64? {
        var commands: [RedisCommand] = []
        if let password = configuration.password, !password.isEmpty {
            if let username = configuration.username, !username.isEmpty {
                commands.append(RedisCommand("AUTH", username, password))
            } else {
                commands.append(RedisCommand("AUTH", password))
            }
        }
        if configuration.database != 0 { commands.append(RedisCommand("SELECT", String(configuration.database))) }
        if askClientID { commands.append(RedisCommand("CLIENT", "ID")) }
        if commands.isEmpty { commands.append(RedisCommand("PING")) }
        let timeout = configuration.readTimeout ?? configuration.dialTimeout
        let replies = commands.map { connection.enqueue($0, timeout: timeout) }
        var last: RedisValue = .null
        for reply in replies { last = try await RedisConnection.reply(reply) }
        return askClientID ? last.integer : nil
    }
}
