import Logging
import OutriggerCore
import RedisClient

/// `bindings.redis`: an output binding that reads and writes Redis keys, as Dapr's binding of
/// the same name.
///
/// Every operation needs request metadata `key` (a missing one is an ``InvalidBindingRequest``):
/// - `create`: `SET key data`; with `ttlInSeconds` (or `ttl`, a Go duration) the key expires
///   (`SET … EX seconds`).
/// - `get`: answers the value as data (nothing for a missing key); with `delete: "true"` the
///   key is removed as it is read (`GETDEL`).
/// - `delete`: `DEL key`.
/// - `increment`: `INCR key` (then `EXPIRE` with a TTL); answers nothing, as Dapr does.
///
/// Connection metadata: ``RedisConnectionSettings``. Commands go over a small pool of
/// pipelined connections kept up by a ``Supervisor``.
public final class RedisBinding: OutputBinding, PingableComponent, HealthReporting {
    /// `bindings.redis`.
    public static let descriptor = ComponentDescriptor(
        type: "bindings.redis",
        summary: "Reads and writes Redis keys (create, get, delete, increment), on hiredis and SwiftNIO"
    ) { metadata in
        try await RedisBinding.start(metadata: metadata)
    }

    /// `create`, `get`, `delete`, `increment`, as Dapr.
    public let operations = ["create", "get", "delete", "increment"]

    private let settings: RedisConnectionSettings
    private let supervisor: Supervisor<RedisClient>

    /// Reads and checks the metadata without connecting; ``start(metadata:)`` also connects.
    public init(metadata: ComponentMetadata) throws {
        settings = try RedisConnectionSettings(metadata)
        var logger = Logger(label: "outrigger.bindings.redis")
        logger[metadataKey: "component"] = "\(metadata.name)"
        supervisor = settings.supervisor(name: metadata.name, clock: .continuous, logger: logger)
    }

    /// Builds the binding and makes its first connection, so an unreachable server or refused
    /// credentials fail start-up with an error naming the field.
    public static func start(metadata: ComponentMetadata) async throws -> RedisBinding {
        let binding = try RedisBinding(metadata: metadata)
        try await binding.settings.start(binding.supervisor, component: metadata.name)
        return binding
    }

    /// The supervisor's view of the connection.
    public var health: ConnectionHealth { supervisor.health }

    /// Runs one operation (see the type's documentation).
    public func invoke(_ request: BindingRequest) async throws -> BindingResponse {
        guard let key = request.metadata["key"], !key.isEmpty else {
            throw InvalidBindingRequest("redis binding: missing key in request metadata")
        }
        switch request.operation {
        case "create":
            var command = RedisCommand("SET", key)
            command.append(bytes: request.data)
            if let seconds = try Self.ttlSeconds(request.metadata) {
                command.append("EX")
                command.append(seconds)
            }
            _ = try await send([command])
            return BindingResponse()
        case "get":
            let deleting = request.metadata["delete"] == "true"
            let reply = try await send([RedisCommand(deleting ? "GETDEL" : "GET", key)])[0]
            return BindingResponse(data: reply.bytes ?? [])
        case "delete":
            _ = try await send([RedisCommand("DEL", key)])
            return BindingResponse()
        default:  // increment: the API lets through listed operations only
            var commands = [RedisCommand("INCR", key)]
            if let seconds = try Self.ttlSeconds(request.metadata) { commands.append(RedisCommand("EXPIRE", key, String(seconds))) }
            _ = try await send(commands)
            return BindingResponse()
        }
    }

    /// `PING` on a pooled connection.
    public func ping() async throws {
        _ = try await send([RedisCommand("PING")])
    }

    /// Closes the connections; later operations fail.
    public func close() async throws {
        await supervisor.close()
    }

    /// Sends `commands` one after the other on the current connection; the replies.
    private func send(_ commands: [RedisCommand]) async throws -> [RedisValue] {
        let health = supervisor.health
        guard health == .connected else {
            throw ComponentError(health == .closed ? .terminal : .retriable, "redis binding: not connected to \(settings.address): \(health)")
        }
        let lease = try await supervisor.lease()
        var replies: [RedisValue] = []
        do {
            for command in commands { replies.append(try await lease.connection.send(command)) }
            return replies
        } catch {
            if error.isConnectionProblem { supervisor.connectionLost(lease, error: error) }
            var kind = ComponentError.Kind.retriable
            if case .server(let reply) = error, !reply.isTransient { kind = .terminal }
            throw ComponentError(kind, "redis binding: \(error)")
        }
    }

    /// The whole seconds of `ttlInSeconds` (or `ttl`: a Go duration or a number of seconds);
    /// `nil` when neither is given. At least one second: Redis expires in whole seconds.
    static func ttlSeconds(_ metadata: [String: String]) throws -> Int? {
        let entry = metadata.first { ["ttlinseconds", "ttl"].contains($0.key.lowercased()) && !$0.value.isEmpty }
        guard let entry else { return nil }
        let seconds: Int
        if let whole = Int(entry.value) {
            seconds = whole
        } else if let duration = try? GoDuration.parse(entry.value) {
            seconds = Int(duration.components.seconds)
        } else {
            throw InvalidBindingRequest("metadata \(entry.key) must be a whole number of seconds or a duration like 30s, got '\(entry.value)'")
        }
        guard seconds >= 1 else {
            throw InvalidBindingRequest("metadata \(entry.key) must be at least 1 second, got '\(entry.value)'")
        }
        return seconds
    }
}
