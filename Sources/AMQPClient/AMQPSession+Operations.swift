import CRabbitMQ
import CLibraryLoader
import Foundation

/// What the jobs of ``AMQPConnection`` and ``AMQPChannel`` do on the connection's thread.
extension AMQPSession {
    // MARK: - Connecting

    /// TCP (or TLS) connect and login, all within `connectTimeout`. After a failure the
    /// session holds no connection and is failed.
    func connect() throws(AMQPError) {
        do {
            try login()
        } catch {
            if failure == nil { failure = error }
            if let connection { amqp_destroy_connection(connection) }
            connection = nil
            throw error
        }
    }

    private func login() throws(AMQPError) {
        if let failure = outrigger_load_rabbitmq() { throw .library(String(cString: failure)) }
        guard let connection = amqp_new_connection() else { throw .library("rabbitmq-c could not allocate a connection") }
        self.connection = connection
        let arena = AMQPArena()
        let socket: OpaquePointer?
        if let tls = configuration.tls {
            socket = amqp_ssl_socket_new(connection)
            guard let socket else { throw .library("rabbitmq-c could not create a TLS socket") }
            try configure(socket, tls)
        } else {
            socket = amqp_tcp_socket_new(connection)
        }
        guard let socket else { throw .library("rabbitmq-c could not create a socket") }
        var connectTimeout = Self.cTime(configuration.connectTimeout)
        let opened = amqp_socket_open_noblock(socket, configuration.host, Int32(configuration.port), &connectTimeout)
        guard opened == AMQP_STATUS_OK.rawValue else {
            throw .connection("cannot connect to \(configuration.address): \(Self.describe(opened))")
        }
        var rpcTimeout = Self.cTime(configuration.rpcTimeout)
        _ = amqp_set_rpc_timeout(connection, &rpcTimeout)
        _ = amqp_set_handshake_timeout(connection, &connectTimeout)

        var properties: AMQPTable = []
        if let name = configuration.connectionName { properties.append(("connection_name", .string(name))) }
        var table = arena.table(properties)
        let heartbeat = Int32(configuration.heartbeat.components.seconds)
        let reply: amqp_rpc_reply_t
        if let tls = configuration.tls, tls.externalAuthentication {
            reply = outrigger_amqp_login_external(connection, configuration.virtualHost, 131_072, heartbeat, &table, configuration.username)
        } else {
            reply = outrigger_amqp_login_plain(connection, configuration.virtualHost, 131_072, heartbeat, &table, configuration.username, configuration.password)
        }
        if reply.reply_type == AMQP_RESPONSE_LIBRARY_EXCEPTION, reply.library_error == AMQP_STATUS_CONNECTION_CLOSED.rawValue {
            // A broker that drops the socket during the handshake refused the login (old
            // brokers do so instead of sending connection.close 403).
            let error = AMQPError.accessRefused("the broker closed the connection during login as \(configuration.username) to vhost \(configuration.virtualHost)")
            lose(error)
            throw error
        }
        if let error = check(reply, channel: 0) { throw error }
        let channelMax = amqp_get_channel_max(connection)
        if channelMax > 0 { self.channelMax = UInt16(clamping: channelMax) }
    }

    private func configure(_ socket: OpaquePointer, _ tls: AMQPConfiguration.TLS) throws(AMQPError) {
        amqp_ssl_socket_set_verify_peer(socket, tls.verifyPeer ? 1 : 0)
        amqp_ssl_socket_set_verify_hostname(socket, tls.verifyPeer ? 1 : 0)
        let files = PEMFiles()
        defer { files.remove() }
        if let ca = tls.caCertificatePEM {
            let path = try files.write(ca, name: "ca.pem")
            let status = amqp_ssl_socket_set_cacert(socket, path)
            guard status == AMQP_STATUS_OK.rawValue else { throw .library("caCert is not a usable CA certificate: \(Self.describe(status))") }
        }
        if let certificate = tls.clientCertificatePEM, let key = tls.clientKeyPEM {
            let certificatePath = try files.write(certificate, name: "cert.pem")
            let keyPath = try files.write(key, name: "key.pem")
            let status = amqp_ssl_socket_set_key(socket, certificatePath, keyPath)
            guard status == AMQP_STATUS_OK.rawValue else { throw .library("clientCert and clientKey are not a usable pair: \(Self.describe(status))") }
        }
    }

    static func cTime(_ duration: Duration) -> Glibc.timeval {
        let (seconds, attoseconds) = duration.components
        return Glibc.timeval(tv_sec: Int(seconds), tv_usec: Int(attoseconds / 1_000_000_000_000))
    }

    // MARK: - Channels

    /// Opens the next free channel number.
    func openChannel(_ makeHandle: (UInt16) -> AMQPChannel) throws(AMQPError) -> AMQPChannel {
        if let failure { throw failure }
        guard let connection else { throw .closed }
        guard channels.count < Int(channelMax) else { throw .library("all \(channelMax) channels are open") }
        var number = lastChannel
        repeat { number = number % channelMax + 1 } while channels[number] != nil
        lastChannel = number
        uncork()
        amqp_channel_open(connection, number)
        if let error = check(amqp_get_rpc_reply(connection), channel: number) { throw error }
        let handle = makeHandle(number)
        channels[number] = ChannelState(handle: handle)
        return handle
    }

    /// The state of `handle`'s channel, if still open.
    func open(_ handle: AMQPChannel) throws(AMQPError) -> ChannelState {
        if let failure { throw failure }
        guard let state = channels[handle.number], state.handle === handle else { throw .closed }
        return state
    }

    /// Runs a synchronous rabbitmq-c method on `handle`'s channel and checks its reply.
    func rpc<T>(_ handle: AMQPChannel, _ body: (amqp_connection_state_t, amqp_channel_t, AMQPArena) -> T) throws(AMQPError) -> T {
        _ = try open(handle)
        guard let connection else { throw .closed }
        let arena = AMQPArena()
        uncork()
        let result = body(connection, handle.number, arena)
        if let error = check(amqp_get_rpc_reply(connection), channel: handle.number) { throw error }
        return result
    }

    func closeChannel(_ handle: AMQPChannel) {
        guard let state = try? open(handle), let connection else { return }
        uncork()
        _ = amqp_channel_close(connection, handle.number, Int32(AMQP_REPLY_SUCCESS))
        let reply = amqp_get_rpc_reply(connection)
        channels.removeValue(forKey: handle.number)
        state.close(.closed)
        if reply.reply_type == AMQP_RESPONSE_LIBRARY_EXCEPTION { lose(.connection(Self.describe(reply.library_error))) }
    }

    // MARK: - Messages

    /// `basic.publish`; the continuation is resumed when the broker confirms (confirm mode) or
    /// once the frames are written.
    func publish(
        _ handle: AMQPChannel, exchange: String, routingKey: String, mandatory: Bool, properties: AMQPMessageProperties, body: [UInt8],
        continuation: CheckedContinuation<Void, any Error>
    ) {
        let state: ChannelState
        do {
            state = try open(handle)
        } catch {
            continuation.resume(throwing: error)
            return
        }
        guard let connection else { return continuation.resume(throwing: AMQPError.closed) }
        let arena = AMQPArena()
        var cProperties = arena.properties(properties)
        let status = body.withUnsafeBytes { buffer in
            amqp_basic_publish(
                connection, handle.number, arena.bytes(exchange), arena.bytes(routingKey), mandatory ? 1 : 0, 0, &cProperties,
                amqp_bytes_t(len: buffer.count, bytes: UnsafeMutableRawPointer(mutating: buffer.baseAddress)))
        }
        guard status == AMQP_STATUS_OK.rawValue else {
            let error: AMQPError
            if status == AMQP_STATUS_TABLE_TOO_BIG.rawValue || status == AMQP_STATUS_INVALID_PARAMETER.rawValue {
                error = .library("publish refused: \(Self.describe(status))")
            } else {
                error = .connection(Self.describe(status))
                lose(error)
            }
            continuation.resume(throwing: error)
            return
        }
        guard state.confirming else { return continuation.resume() }
        state.confirms.published(continuation, exchange: exchange, routingKey: routingKey, body: body)
    }

    /// `basic.ack` / `basic.nack`, written at once.
    func settle(_ handle: AMQPChannel, deliveryTag: UInt64, multiple: Bool, ack: Bool, requeue: Bool) throws(AMQPError) {
        _ = try open(handle)
        guard let connection else { throw .closed }
        let status = ack
            ? amqp_basic_ack(connection, handle.number, deliveryTag, multiple ? 1 : 0)
            : amqp_basic_nack(connection, handle.number, deliveryTag, multiple ? 1 : 0, requeue ? 1 : 0)
        guard status == AMQP_STATUS_OK.rawValue else {
            let error = AMQPError.connection(Self.describe(status))
            lose(error)
            throw error
        }
    }

    /// `basic.consume`; deliveries go to the returned consumer from now on.
    func consume(_ handle: AMQPChannel, queue: String, tag: String, exclusive: Bool, arguments: AMQPTable) throws(AMQPError) -> AMQPConsumer {
        let brokerTag = try rpc(handle) { connection, channel, arena in
            amqp_basic_consume(connection, channel, arena.bytes(queue), arena.bytes(tag), 0, 0, exclusive ? 1 : 0, arena.table(arguments))?
                .pointee.consumer_tag.string
        }
        let consumer = AMQPConsumer(tag: brokerTag ?? tag, channel: handle)
        try open(handle).consumers[consumer.tag] = consumer
        return consumer
    }

    func cancel(_ consumer: AMQPConsumer) throws(AMQPError) {
        guard let state = try? open(consumer.channel) else { return consumer.finish(.consumerCancelled("cancelled")) }
        state.consumers.removeValue(forKey: consumer.tag)
        consumer.finish(.consumerCancelled("cancelled"))
        _ = try rpc(consumer.channel) { connection, channel, arena in amqp_basic_cancel(connection, channel, arena.bytes(consumer.tag)) }
    }

    func enableConfirms(_ handle: AMQPChannel) throws(AMQPError) {
        _ = try rpc(handle) { connection, channel, _ in amqp_confirm_select(connection, channel) }
        try open(handle).confirming = true
    }
}

/// PEM texts written to private files for the moment rabbitmq-c (OpenSSL) loads them.
private final class PEMFiles {
    private var directory: String?

    func write(_ pem: String, name: String) throws(AMQPError) -> String {
        if directory == nil {
            var template = Array("\(NSTemporaryDirectory())/outrigger-amqp-XXXXXX".utf8CString)
            guard let made = mkdtemp(&template) else { throw .library("cannot create a directory for the TLS files") }
            directory = String(cString: made)
        }
        let path = "\(directory!)/\(name)"
        guard FileManager.default.createFile(atPath: path, contents: Data(pem.utf8), attributes: [.posixPermissions: 0o600]) else {
            throw .library("cannot write \(path)")
        }
        return path
    }

    func remove() {
        if let directory { try? FileManager.default.removeItem(atPath: directory) }
    }
}
