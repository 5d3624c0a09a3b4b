import Foundation
import OutriggerCore
import PostgresClient

/// `bindings.postgresql` (also `bindings.postgres`): an output binding that runs SQL on
/// PostgreSQL, as Dapr's binding of the same name.
///
/// Operations (request metadata `sql`, and optional `params`, a JSON array bound to `$1`,
/// `$2`... — values are always sent apart from the SQL, never spliced into it):
/// - `exec`: a command; answers metadata `rows-affected`.
/// - `query`: answers the rows as a JSON array of arrays (see ``PostgresRowsJSON``).
/// - `close`: closes the connection pool; later `exec`/`query` fail. Answers nothing.
///
/// `exec` and `query` also answer `operation`, `sql`, `start-time`, `end-time` (RFC 3339, UTC)
/// and `duration` (Go syntax). Each is bounded by the `timeout` metadata, waiting for a pooled
/// connection included: when it passes, the statement is cancelled on the server (`PQcancel`)
/// and the call fails. A missing `sql` or malformed `params` is an ``InvalidBindingRequest``
/// (400); an error from the server fails the call (500) with its message, e.g.
/// `error executing query: ERROR: relation "x" does not exist (SQLSTATE 42P01)`.
/// Metadata: see ``PostgresBindingMetadata``.
public final class PostgresBinding: OutputBinding, PingableComponent {
    /// `bindings.postgresql`.
    public static let descriptor = ComponentDescriptor(
        type: "bindings.postgresql",
        summary: "Runs SQL on PostgreSQL (exec, query, close) over a libpq connection pool"
    ) { metadata in
        try await PostgresBinding.start(metadata: metadata)
    }

    /// `bindings.postgres`: the same component under the second name daprd registers it as.
    public static let postgresDescriptor = ComponentDescriptor(
        type: "bindings.postgres",
        summary: "Alias of bindings.postgresql"
    ) { metadata in
        try await PostgresBinding.start(metadata: metadata)
    }

    /// `exec`, `query`, `close`, as Dapr.
    public let operations = ["exec", "query", "close"]

    private let pool: PostgresPool
    private let timeout: Duration
    private let simpleProtocol: Bool

    /// Reads and checks the metadata (throwing ``ComponentConfigurationError`` naming the
    /// field) without connecting; ``start(metadata:)`` also connects.
    public init(metadata: ComponentMetadata) throws {
        let settings = try PostgresBindingMetadata(metadata, processorCount: ProcessInfo.processInfo.activeProcessorCount)
        pool = PostgresPool(configuration: settings.pool)
        timeout = settings.timeout
        simpleProtocol = settings.simpleProtocol
    }

    /// Builds the binding and connects within `timeout` (opening `pool_min_conns`
    /// connections, at least one), so a wrong connection string or an unreachable server
    /// fails start-up with an error naming the field.
    public static func start(metadata: ComponentMetadata) async throws -> PostgresBinding {
        let binding = try PostgresBinding(metadata: metadata)
        do {
            try await withTimeLimit(binding.timeout) { try await binding.pool.warmUp() }
        } catch {
            binding.pool.close()
            throw ComponentConfigurationError(
                component: metadata.name, field: PostgresBindingMetadata.connectionStringField(metadata), reason: "does not connect: \(error)")
        }
        return binding
    }

    /// Runs one operation (see the type's documentation).
    public func invoke(_ request: BindingRequest) async throws -> BindingResponse {
        switch request.operation {
        case "close":
            pool.close()
            return BindingResponse()
        case "exec", "query":
            break
        default:
            throw InvalidBindingRequest("unsupported operation '\(request.operation)'; supported: \(operations.joined(separator: ", "))")
        }
        guard !pool.isClosed else { throw ComponentError(.terminal, "component is closed") }
        guard let sql = request.metadata["sql"], !sql.isEmpty else { throw InvalidBindingRequest("required metadata not set: sql") }
        let parameters = try PostgresBindingParameters.parse(request.metadata["params"])

        let startTime = UTCDateTime.now()
        let result = try await run(sql, parameters)
        let endTime = UTCDateTime.now()
        var metadata = [
            "operation": request.operation,
            "sql": sql,
            "start-time": startTime.iso8601,
            "end-time": endTime.iso8601,
            "duration": GoDuration.format(endTime.duration(since: startTime)),
        ]
        if request.operation == "exec" {
            metadata["rows-affected"] = String(result.rowsAffected)
            return BindingResponse(metadata: metadata)
        }
        return BindingResponse(data: PostgresRowsJSON.encode(result.rows), metadata: metadata, contentType: "application/json")
    }

    /// One round trip on a pooled connection, within `timeout`.
    public func ping() async throws {
        guard !pool.isClosed else { throw ComponentError(.terminal, "component is closed") }
        do {
            try await withTimeLimit(timeout) { [pool] in try await pool.withConnection { try await $0.ping() } }
        } catch {
            throw Self.failure(error, doing: "ping")
        }
    }

    /// Closes the pool (idle connections now, leased ones when their statement ends).
    public func close() async throws {
        pool.close()
    }

    private func run(_ sql: String, _ parameters: [PostgresParameter]) async throws -> PostgresResult {
        do {
            return try await withTimeLimit(timeout) { [pool, simpleProtocol] in
                try await pool.withConnection { connection in
                    try await connection.execute(sql, parameters: parameters, simpleProtocol: simpleProtocol)
                }
            }
        } catch let error as PostgresError {
            if case .invalidParameter = error { throw InvalidBindingRequest("invalid metadata property params: \(error)") }
            throw Self.failure(error, doing: "executing query")
        } catch {
            throw Self.failure(error, doing: "executing query")
        }
    }

    /// The component error for a failed statement or ping, saying whether a retry can help.
    static func failure(_ error: any Error, doing action: String) -> any Error {
        switch error {
        case let limit as TimeLimitExceeded:
            return ComponentError(.retriable, "error \(action): \(limit) (the statement was cancelled)")
        case PostgresError.closed:
            return ComponentError(.terminal, "component is closed")
        case let error as PostgresError:
            return ComponentError(error.isRetriable ? .retriable : .terminal, "error \(action): \(error)")
        default:
            return error
        }
    }
}
