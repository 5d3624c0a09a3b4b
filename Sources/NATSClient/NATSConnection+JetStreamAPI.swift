import CNats

#if canImport(Glibc)
import Glibc
#endif

extension NATSConnection {
    /// The stream named `name`, or `nil` when there is none.
    public func streamInfo(_ name: String) async throws(NATSError) -> StreamInfo? {
        let jetStream = jetStream
        return try await admin.run { () throws(NATSError) -> StreamInfo? in
            var info: UnsafeMutablePointer<jsStreamInfo>?
            var code = jsErrCode(rawValue: 0)
            let status = js_GetStreamInfo(&info, jetStream.raw, name, nil, &code)
            if status == NATS_NOT_FOUND || code == JSStreamNotFoundErr { return nil }
            guard status == NATS_OK, let info else { throw .last(status, jetStream: code, "stream info of \(name)") }
            defer { jsStreamInfo_Destroy(info) }
            return StreamInfo(info.pointee)
        }
    }

    /// Creates stream `name` capturing `subjects` (file storage, limits retention), or, when
    /// it exists, sets its subjects to `subjects`.
    public func putStream(_ name: String, subjects: [String], create: Bool) async throws(NATSError) -> StreamInfo {
        let jetStream = jetStream
        return try await admin.run { () throws(NATSError) -> StreamInfo in
            let strings = CStringBag()
            var subjectPointers: [UnsafePointer<CChar>?] = subjects.map { strings.add($0) }
            var info: UnsafeMutablePointer<jsStreamInfo>?
            var code = jsErrCode(rawValue: 0)
            let status: natsStatus
            if create {
                var config = jsStreamConfig()
                jsStreamConfig_Init(&config)
                config.Name = strings.add(name)
                config.Storage = js_FileStorage
                status = subjectPointers.withUnsafeMutableBufferPointer { buffer in
                    config.Subjects = buffer.baseAddress
                    config.SubjectsLen = Int32(buffer.count)
                    return js_AddStream(&info, jetStream.raw, &config, nil, &code)
                }
            } else {
                // An update must repeat the whole configuration: start from the stream's own.
                var current: UnsafeMutablePointer<jsStreamInfo>?
                let got = js_GetStreamInfo(&current, jetStream.raw, name, nil, &code)
                guard got == NATS_OK, let current, let config = current.pointee.Config else { throw .last(got, jetStream: code, "stream info of \(name)") }
                defer { jsStreamInfo_Destroy(current) }
                status = subjectPointers.withUnsafeMutableBufferPointer { buffer in
                    let savedSubjects = config.pointee.Subjects
                    let savedCount = config.pointee.SubjectsLen
                    config.pointee.Subjects = buffer.baseAddress
                    config.pointee.SubjectsLen = Int32(buffer.count)
                    defer {
                        config.pointee.Subjects = savedSubjects
                        config.pointee.SubjectsLen = savedCount
                    }
                    return js_UpdateStream(&info, jetStream.raw, config, nil, &code)
                }
            }
            guard status == NATS_OK, let info else { throw .last(status, jetStream: code, create ? "creating stream \(name)" : "updating stream \(name)") }
            defer { jsStreamInfo_Destroy(info) }
            return StreamInfo(info.pointee)
        }
    }

    /// Deletes stream `name` and its messages (tests and benchmarks clean up with it).
    public func deleteStream(_ name: String) async throws(NATSError) {
        let jetStream = jetStream
        try await admin.run { () throws(NATSError) in
            var code = jsErrCode(rawValue: 0)
            let status = js_DeleteStream(jetStream.raw, name, nil, &code)
            guard status == NATS_OK || status == NATS_NOT_FOUND else { throw .last(status, jetStream: code, "deleting stream \(name)") }
        }
    }

    /// Sends `body` to the JetStream API subject `<prefix>.<api>` and returns the reply's bytes.
    public func jetStreamRequest(_ api: String, body: [UInt8]) async throws(NATSError) -> [UInt8] {
        let connection = connection
        let subject = "\(options.jetStreamAPIPrefix).\(api)"
        let timeout = options.requestTimeout.milliseconds()
        return try await admin.run { () throws(NATSError) -> [UInt8] in
            var reply: OpaquePointer?
            let status = body.withUnsafeBufferPointer { bytes in
                natsConnection_Request(&reply, connection.raw, subject, UnsafeRawPointer(bytes.baseAddress), Int32(bytes.count), timeout)
            }
            guard status == NATS_OK, let reply else { throw .last(status, "JetStream request \(subject)") }
            defer { natsMsg_Destroy(reply) }
            return bytes(of: reply)
        }
    }

    /// The consumer `name` of `stream`, or `nil` when there is none.
    public func consumerInfo(stream: String, name: String) async throws(NATSError) -> ConsumerInfo? {
        let jetStream = jetStream
        return try await admin.run { () throws(NATSError) -> ConsumerInfo? in
            var info: UnsafeMutablePointer<jsConsumerInfo>?
            var code = jsErrCode(rawValue: 0)
            let status = js_GetConsumerInfo(&info, jetStream.raw, stream, name, nil, &code)
            if status == NATS_NOT_FOUND || code == JSConsumerNotFoundErr { return nil }
            guard status == NATS_OK, let info else { throw .last(status, jetStream: code, "consumer info of \(name) on \(stream)") }
            defer { jsConsumerInfo_Destroy(info) }
            return ConsumerInfo(info.pointee)
        }
    }

    /// Creates the durable consumer `configuration` on `stream` (an identical existing one is
    /// fine) and returns what the server made.
    public func addConsumer(stream: String, _ configuration: ConsumerConfiguration) async throws(NATSError) -> ConsumerInfo {
        let jetStream = jetStream
        return try await admin.run { () throws(NATSError) -> ConsumerInfo in
            let strings = CStringBag()
            var config = jsConsumerConfig()
            jsConsumerConfig_Init(&config)
            configuration.apply(to: &config, strings: strings)
            var backOff = configuration.backOff.map(\.nanoseconds)
            var info: UnsafeMutablePointer<jsConsumerInfo>?
            var code = jsErrCode(rawValue: 0)
            let status = backOff.withUnsafeMutableBufferPointer { buffer in
                if buffer.count > 0 {
                    config.BackOff = buffer.baseAddress
                    config.BackOffLen = Int32(buffer.count)
                }
                return js_AddConsumer(&info, jetStream.raw, stream, &config, nil, &code)
            }
            guard status == NATS_OK, let info else {
                throw .last(status, jetStream: code, "creating consumer \(configuration.durableName) on stream \(stream)")
            }
            defer { jsConsumerInfo_Destroy(info) }
            return ConsumerInfo(info.pointee)
        }
    }

    /// Deletes consumer `name` of `stream` (absent is fine).
    public func deleteConsumer(stream: String, name: String) async throws(NATSError) {
        let jetStream = jetStream
        try await admin.run { () throws(NATSError) in
            var code = jsErrCode(rawValue: 0)
            let status = js_DeleteConsumer(jetStream.raw, stream, name, nil, &code)
            guard status == NATS_OK || status == NATS_NOT_FOUND || code == JSConsumerNotFoundErr else {
                throw .last(status, jetStream: code, "deleting consumer \(name) on \(stream)")
            }
        }
    }

    /// Binds a pull subscription to the existing consumer `consumer` of `stream`; it fetches
    /// on a thread of its own.
    public func pullSubscribe(subject: String, stream: String, consumer: String) async throws(NATSError) -> JetStreamSubscription {
        let jetStream = jetStream
        let fetcher = BlockingThread(name: "nats-fetch")
        do {
            let subscription = try await fetcher.run { () throws(NATSError) -> NATSPointer in
                var options = jsSubOptions()
                jsSubOptions_Init(&options)
                var subscription: OpaquePointer?
                var code = jsErrCode(rawValue: 0)
                let status = stream.withCString { streamName in
                    consumer.withCString { consumerName in
                        options.Stream = streamName
                        options.Consumer = consumerName
                        return js_PullSubscribe(&subscription, jetStream.raw, subject, consumerName, nil, &options, &code)
                    }
                }
                guard status == NATS_OK, let subscription else { throw .last(status, jetStream: code, "pull subscription to consumer \(consumer) on \(stream)") }
                return NATSPointer(raw: subscription)
            }
            return JetStreamSubscription(subscription: subscription, connection: self, fetcher: fetcher, subject: subject)
        } catch {
            fetcher.stop()
            throw error
        }
    }
}

/// The payload of `message`, copied.
func bytes(of message: OpaquePointer) -> [UInt8] {
    let count = Int(natsMsg_GetDataLength(message))
    guard count > 0, let data = natsMsg_GetData(message) else { return [] }
    return Array(UnsafeRawBufferPointer(start: UnsafeRawPointer(data), count: count))
}

extension ConsumerConfiguration {
    /// Fills `config`; strings live in `strings`.
    func apply(to config: inout jsConsumerConfig, strings: CStringBag) {
        config.Durable = strings.add(durableName)
        config.Description = strings.add(description)
        config.FilterSubject = strings.add(filterSubject)
        switch deliverPolicy {
        case .all: config.DeliverPolicy = js_DeliverAll
        case .last: config.DeliverPolicy = js_DeliverLast
        case .new: config.DeliverPolicy = js_DeliverNew
        case .startSequence(let sequence):
            config.DeliverPolicy = js_DeliverByStartSequence
            config.OptStartSeq = sequence
        case .startTime(let nanoseconds):
            config.DeliverPolicy = js_DeliverByStartTime
            config.OptStartTime = nanoseconds
        }
        switch ackPolicy {
        case .explicit: config.AckPolicy = js_AckExplicit
        case .all: config.AckPolicy = js_AckAll
        case .none: config.AckPolicy = js_AckNone
        }
        if let ackWait { config.AckWait = ackWait.nanoseconds }
        if let maxDeliver { config.MaxDeliver = Int64(maxDeliver) }
        if let maxAckPending { config.MaxAckPending = Int64(maxAckPending) }
        if let replicas { config.Replicas = Int64(replicas) }
        config.MemoryStorage = memoryStorage
        config.DeliverSubject = strings.add(deliverSubject)
    }
}

extension StreamInfo {
    init(_ info: jsStreamInfo) {
        let config = info.Config?.pointee
        let subjects = (0..<Int(config?.SubjectsLen ?? 0)).compactMap { index in config?.Subjects?[index].map { String(cString: $0) } }
        self.init(name: config?.Name.map { String(cString: $0) } ?? "", subjects: subjects, messages: info.State.Msgs)
    }
}

extension ConsumerInfo {
    init(_ info: jsConsumerInfo) {
        let config = info.Config?.pointee
        self.init(
            stream: info.Stream.map { String(cString: $0) } ?? "", name: info.Name.map { String(cString: $0) } ?? "",
            filterSubject: config?.FilterSubject.map { String(cString: $0) } ?? "",
            isPull: config?.DeliverSubject == nil, ackWait: .nanoseconds(config?.AckWait ?? 0), waitingPulls: Int(info.NumWaiting),
            ackPending: Int(info.NumAckPending))
    }
}
