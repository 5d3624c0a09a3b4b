import OutriggerCore
import PostgresClient

/// The metadata of a `bindings.postgresql` component, read and checked at start-up with
/// Dapr's field names and defaults.
///
/// | field | default | meaning |
/// |---|---|---|
/// | `connectionString` (alias `url`) | — | libpq/pgx URL or `keyword=value` string; required unless `host` etc. are given |
/// | `host`, `hostaddr`, `port`, `database`, `user`, `password`, `sslRootCert` | — | override the same settings of the string |
/// | `timeout` (alias `timeoutInSeconds`) | `20s` | per operation and for connecting; at least 1 s; a bare number is seconds |
/// | `maxConns` | `0` | pool size; 0 or less: `pool_max_conns` from the string, else the greater of 4 and the CPU count |
/// | `connectionMaxIdleTime` | — | idle connections older than this are closed (overrides `pool_max_conn_idle_time`) |
/// | `queryExecMode` | — | pgx's mode; `simple_protocol` sends statements without parameters as simple queries |
/// | `useAzureAD`, `useAWSIAM` | `false` | refused when `true`: Outrigger has no cloud identity providers |
struct PostgresBindingMetadata: Sendable {
    var timeout: Duration
    var pool: PostgresPoolConfiguration
    var simpleProtocol: Bool

    /// Dapr's fields that override a setting of the connection string, and the libpq keyword each sets.
    static let overrides: [(field: String, keyword: String)] = [
        ("host", "host"), ("hostaddr", "hostaddr"), ("port", "port"), ("database", "dbname"),
        ("user", "user"), ("password", "password"), ("sslRootCert", "sslrootcert"),
    ]

    /// `connectionString`, or its alias `url` when only that one has a value.
    static func connectionStringField(_ metadata: ComponentMetadata) -> String {
        metadata.string("connectionString", default: "").isEmpty && !metadata.string("url", default: "").isEmpty ? "url" : "connectionString"
    }

    init(_ metadata: ComponentMetadata, processorCount: Int) throws(ComponentConfigurationError) {
        func invalid(_ field: String, _ reason: String) -> ComponentConfigurationError {
            ComponentConfigurationError(component: metadata.name, field: field, reason: reason)
        }
        for field in ["useAzureAD", "useAWSIAM"] {
            if try metadata.bool(field, default: false) {
                throw invalid(field, "is not supported by Outrigger (no cloud identity provider); give the credentials in connectionString")
            }
        }

        let field = Self.connectionStringField(metadata)
        let text = metadata[field] ?? ""
        let overrides = Self.overrides.compactMap { item in metadata[item.field].flatMap { $0.isEmpty ? nil : (item.keyword, $0) } }
        guard !text.isEmpty || !overrides.isEmpty else { throw invalid("connectionString", "is required") }
        var connection: PostgresConnectionString
        do {
            connection = try PostgresConnectionString(parsing: text)
            for (keyword, value) in overrides { try connection.set(keyword, value) }
        } catch {
            throw invalid(field, "is not a valid PostgreSQL connection string: \(error)")
        }

        let timeoutField = metadata["timeout"] == nil && metadata["timeoutInSeconds"] != nil ? "timeoutInSeconds" : "timeout"
        timeout = try metadata.duration(timeoutField, default: .seconds(20))
        guard timeout >= .seconds(1) else { throw invalid(timeoutField, "must be at least 1s, got \(GoDuration.format(timeout))") }
        if connection["connect_timeout"] == nil {
            // libpq counts whole seconds and takes 2 as its minimum.
            let seconds = timeout.components.seconds + (timeout.components.attoseconds > 0 ? 1 : 0)
            try? connection.set("connect_timeout", String(max(2, seconds)))
        }
        if connection["client_encoding"] == nil { try? connection.set("client_encoding", "UTF8") }

        let mode = metadata["queryExecMode"].flatMap { $0.isEmpty ? nil : $0 } ?? connection.queryExecMode
        if let mode, !PostgresConnectionString.queryExecModes.contains(mode) {
            throw invalid("queryExecMode", "must be one of \(PostgresConnectionString.queryExecModes.joined(separator: ", ")), got '\(mode)'")
        }
        simpleProtocol = mode == "simple_protocol"

        var pool = PostgresPoolConfiguration(connectionString: connection, defaultMaxConnections: max(4, processorCount))
        let maxConns = try metadata.int("maxConns", default: 0)
        if maxConns > 0 {
            pool.maxConnections = maxConns
            pool.minConnections = min(pool.minConnections, maxConns)
        }
        let idleTime = try metadata.duration("connectionMaxIdleTime", default: .zero)
        if idleTime > .zero { pool.maxConnectionIdleTime = idleTime }
        self.pool = pool
    }
}
