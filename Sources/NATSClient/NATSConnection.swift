import CNats

/// One connection to a NATS server, with its JetStream context.
///
/// - Publishing is asynchronous on the wire: ``publish(subject:data:messageID:)`` hands the
///   message to libnats (`js_PublishMsgAsync`) and suspends until its PubAck (or its failure,
///   or ``NATSConnectionOptions/publishAckTimeout``) arrives, so many publishes share the
///   connection without waiting for each other.
/// - Blocking libnats calls run on threads of the connection's own: one sends (publishes,
///   acknowledgements), one makes JetStream API requests; each pull subscription fetches on
///   a third (``JetStreamSubscription``).
/// - libnats does not reconnect: when the server goes away the connection closes, every
///   publish still waiting fails with a connection error, and the owner makes a new one.
///
/// ```swift
/// let connection = try await NATSConnection.connect(NATSConnectionOptions(url: "nats://127.0.0.1:4222"))
/// let ack = try await connection.publish(subject: "orders", data: Array("hi".utf8), messageID: "id-1")
/// await connection.close()
/// ```
public final class NATSConnection: Sendable {
    let connection: NATSPointer
    let jetStream: NATSPointer
    let events: ConnectionEvents
    private let credentials: NATSUserCredentials?
    let sender: BlockingThread
    let admin: BlockingThread
    /// What it was connected with.
    public let options: NATSConnectionOptions

    private init(
        connection: NATSPointer, jetStream: NATSPointer, events: ConnectionEvents, credentials: NATSUserCredentials?, sender: BlockingThread,
        admin: BlockingThread, options: NATSConnectionOptions
    ) {
        self.connection = connection
        self.jetStream = jetStream
        self.events = events
        self.credentials = credentials
        self.sender = sender
        self.admin = admin
        self.options = options
    }

    deinit {
        sender.stop()
        admin.stop()
        jsCtx_Destroy(jetStream.raw)
        natsConnection_Destroy(connection.raw)
    }

    /// Connects (on a thread of the connection's own) and sets up the JetStream context;
    /// throws libnats' error (`.authentication` for refused credentials).
    public static func connect(_ options: NATSConnectionOptions) async throws(NATSError) -> NATSConnection {
        let sender = BlockingThread(name: "nats-send")
        let admin = BlockingThread(name: "nats-api")
        // The callbacks' target outlives the connection on purpose: libnats may run its closed
        // callback on its own thread after `natsConnection_Destroy` returned, so it is never
        // freed (one small object per connection made).
        let events = ConnectionEvents()
        // Pointers cross to the connecting thread as addresses (`UInt` is Sendable).
        let eventsAddress = UInt(bitPattern: Unmanaged.passRetained(events).toOpaque())
        var credentials: NATSUserCredentials?
        if case .userJWT(let jwt, let seed) = options.credentials { credentials = NATSUserCredentials(jwt: jwt, seed: seed) }
        let credentialsAddress = credentials.map { UInt(bitPattern: Unmanaged.passUnretained($0).toOpaque()) }
        do {
            let (connection, jetStream) = try await admin.run { () throws(NATSError) -> (NATSPointer, NATSPointer) in
                try open(options, events: eventsAddress, credentials: credentialsAddress)
            }
            return NATSConnection(
                connection: connection, jetStream: jetStream, events: events, credentials: credentials, sender: sender, admin: admin, options: options)
        } catch {
            sender.stop()
            admin.stop()
            throw error
        }
    }

    /// Whether the connection closed (by ``close()`` or because the server went away).
    public var isClosed: Bool { events.isClosed }

    /// Runs `body` once when the connection closes, on a libnats thread (at once when it
    /// already has): the owner learns of a server that went away without waiting for an
    /// operation to fail.
    public func whenClosed(_ body: @escaping @Sendable () -> Void) {
        events.whenClosed(body)
    }

    /// A PING/PONG round trip, at most `timeout`.
    public func ping(timeout: Duration = .seconds(2)) async throws(NATSError) {
        let connection = connection
        try await admin.run { () throws(NATSError) in
            let status = natsConnection_FlushTimeout(connection.raw, timeout.milliseconds())
            guard status == NATS_OK else { throw .last(status, "ping") }
        }
    }

    /// Publishes `data` on `subject` to JetStream and returns its PubAck. `messageID` is sent
    /// as `Nats-Msg-Id`, which the stream uses to drop duplicates.
    public func publish(subject: String, data: [UInt8], messageID: String?) async throws(NATSError) -> PublishAck {
        let result = await withCheckedContinuation { (continuation: CheckedContinuation<Result<PublishAck, NATSError>, Never>) in
            let waiter: ConnectionEvents.Waiter = { continuation.resume(returning: $0) }
            // One thread publishes, as a libnats publisher loop would: no lock contention in
            // libnats, and a busy sending thread takes every queued publish per wake-up.
            let accepted = sender.submit { self.startPublish(subject: subject, data: data, messageID: messageID, waiter: waiter) }
            if !accepted { waiter(.failure(.closed)) }
        }
        return try result.get()
    }

    /// Publishes every message at once (one job on the sending thread) and returns each one's
    /// outcome, in order, once every PubAck (or failure) arrived.
    public func publish(batch: [(subject: String, data: [UInt8], messageID: String?)]) async -> [Result<PublishAck, NATSError>] {
        guard !batch.isEmpty else { return [] }
        return await withCheckedContinuation { continuation in
            let outcomes = BatchOutcomes(count: batch.count) { continuation.resume(returning: $0) }
            let accepted = sender.submit {
                for (index, message) in batch.enumerated() {
                    self.startPublish(subject: message.subject, data: message.data, messageID: message.messageID) { outcomes.set(index, $0) }
                }
            }
            if !accepted {
                for index in batch.indices { outcomes.set(index, .failure(.closed)) }
            }
        }
    }

    /// Closes the connection: publishes still waiting fail, subscriptions end.
    public func close() async {
        let connection = connection
        _ = try? await sender.run { natsConnection_Close(connection.raw) }
        events.closed(.closed)
        sender.stop()
        admin.stop()
    }

    // MARK: - On the sending thread

    private func startPublish(subject: String, data: [UInt8], messageID: String?, waiter: @escaping ConnectionEvents.Waiter) {
        var message: OpaquePointer?
        var status = data.withUnsafeBufferPointer { bytes in
            natsMsg_Create(&message, subject, nil, UnsafeRawPointer(bytes.baseAddress)?.assumingMemoryBound(to: CChar.self), Int32(bytes.count))
        }
        guard status == NATS_OK, let created = message else {
            waiter(.failure(.last(status, "publish to \(subject)")))
            return
        }
        let key = UInt(bitPattern: Int(bitPattern: UnsafeRawPointer(created)))
        guard events.register(key, waiter) else {
            natsMsg_Destroy(created)
            waiter(.failure(.closed))
            return
        }
        var publishOptions = jsPubOptions()
        jsPubOptions_Init(&publishOptions)
        publishOptions.MaxWait = options.publishAckTimeout.milliseconds()
        if let messageID, !messageID.isEmpty {
            status = messageID.withCString { id in
                publishOptions.MsgId = id
                return js_PublishMsgAsync(jetStream.raw, &message, &publishOptions)
            }
        } else {
            status = js_PublishMsgAsync(jetStream.raw, &message, &publishOptions)
        }
        guard status != NATS_OK else { return }
        // Not taken by libnats: the message is still ours, and nobody will answer for it.
        let error = NATSError.last(status, "publish to \(subject)")
        if let message { natsMsg_Destroy(message) }
        events.resolve(key, .failure(error))
    }
}

/// Creates, configures and connects a libnats connection and its JetStream context.
/// `events` and `credentials` are the addresses of the callbacks' targets, which the caller
/// keeps alive.
private func open(_ options: NATSConnectionOptions, events: UInt, credentials: UInt?) throws(NATSError) -> (NATSPointer, NATSPointer) {
    let eventsPointer = UnsafeMutableRawPointer(bitPattern: events)
    let credentialsPointer = credentials.flatMap { UnsafeMutableRawPointer(bitPattern: $0) }
    try NATSError.loadLibrary()
    var natsOptions: OpaquePointer?
    var status = natsOptions_Create(&natsOptions)
    guard status == NATS_OK, let natsOptions else { throw .last(status, "creating connection options") }
    defer { natsOptions_Destroy(natsOptions) }
    func check(_ status: natsStatus, _ what: String) throws(NATSError) {
        guard status == NATS_OK else { throw .last(status, what) }
    }
    try check(natsOptions_SetURL(natsOptions, options.url), "natsURL '\(options.url)'")
    try check(natsOptions_SetName(natsOptions, options.name), "connection name")
    try check(natsOptions_SetTimeout(natsOptions, options.connectTimeout.milliseconds()), "connect timeout")
    // The supervisor reconnects; a libnats reconnect underneath would hide the loss from it.
    try check(natsOptions_SetAllowReconnect(natsOptions, false), "reconnect option")
    try check(natsOptions_SetClosedCB(natsOptions, connectionClosedHandler, eventsPointer), "closed callback")
    switch options.credentials {
    case .none: break
    case .token(let token): try check(natsOptions_SetToken(natsOptions, token), "token")
    case .userJWT:
        try check(
            natsOptions_SetUserCredentialsCallbacks(natsOptions, userJWTHandler, credentialsPointer, nonceSignatureHandler, credentialsPointer),
            "jwt/seedKey")
    }
    if let certificate = options.tlsClientCertificateFile, let key = options.tlsClientKeyFile {
        try check(natsOptions_SetSecure(natsOptions, true), "TLS")
        try check(natsOptions_LoadCertificatesChain(natsOptions, certificate, key), "tls_client_cert/tls_client_key")
    }
    var connection: OpaquePointer?
    status = natsConnection_Connect(&connection, natsOptions)
    guard status == NATS_OK, let connection else { throw .last(status, "connecting to \(options.url)") }
    var jetStreamOptions = jsOptions()
    jsOptions_Init(&jetStreamOptions)
    let strings = CStringBag()
    jetStreamOptions.Prefix = strings.add(options.apiPrefix)
    jetStreamOptions.Domain = options.apiPrefix?.isEmpty == false ? nil : strings.add(options.domain)
    jetStreamOptions.Wait = options.requestTimeout.milliseconds()
    jetStreamOptions.PublishAsync.MaxPending = Int64(options.maxPendingPublishes)
    jetStreamOptions.PublishAsync.AckHandler = publishAckHandler
    jetStreamOptions.PublishAsync.AckHandlerClosure = eventsPointer
    var jetStream: OpaquePointer?
    status = natsConnection_JetStream(&jetStream, connection, &jetStreamOptions)
    guard status == NATS_OK, let jetStream else {
        let error = NATSError.last(status, "JetStream context")
        natsConnection_Destroy(connection)
        throw error
    }
    return (NATSPointer(raw: connection), NATSPointer(raw: jetStream))
}
