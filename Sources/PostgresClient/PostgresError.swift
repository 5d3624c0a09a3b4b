/// A failure talking to PostgreSQL, sorted by who refused what.
public enum PostgresError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The server refused a statement: its own fields, as libpq reports them.
    case server(PostgresServerError)
    /// No connection could be made (refused, authentication failed, bad parameter), or an
    /// open one broke; libpq's message.
    case connection(String)
    /// A parameter cannot be sent (a NUL byte in text); 1-based `index` as in `$1`.
    case invalidParameter(index: Int, reason: String)
    /// The connection or pool was closed before the request could run.
    case closed

    /// The server's report, libpq's message, or what is wrong with the parameter.
    public var description: String {
        switch self {
        case .server(let error): error.description
        case .connection(let message): message
        case .invalidParameter(let index, let reason): "parameter $\(index) \(reason)"
        case .closed: "the connection pool is closed"
        }
    }

    /// Whether the same request may succeed later: lost connections, serialization failures,
    /// deadlocks, a server shutting down or out of resources. Syntax errors, constraint
    /// violations and bad parameters never will.
    public var isRetriable: Bool {
        switch self {
        case .connection: true
        case .server(let error): error.isRetriable
        case .invalidParameter, .closed: false
        }
    }
}

/// An error report from the server (`ErrorResponse`).
public struct PostgresServerError: Sendable, Equatable, CustomStringConvertible {
    /// `ERROR`, `FATAL` or `PANIC` (never localized).
    public var severity: String
    /// The five-character SQLSTATE, e.g. `42P01` (undefined table).
    public var sqlState: String
    /// The primary message, e.g. `relation "x" does not exist`.
    public var message: String
    /// The optional secondary message.
    public var detail: String?
    /// The optional suggestion.
    public var hint: String?

    /// A report with these fields.
    public init(severity: String, sqlState: String, message: String, detail: String? = nil, hint: String? = nil) {
        self.severity = severity
        self.sqlState = sqlState
        self.message = message
        self.detail = detail
        self.hint = hint
    }

    /// `SEVERITY: message (SQLSTATE code)`, the form pgx (and so Dapr) prints.
    public var description: String { "\(severity): \(message) (SQLSTATE \(sqlState))" }

    /// Whether the SQLSTATE class says trying again can work (see ``PostgresError/isRetriable``).
    public var isRetriable: Bool {
        // 40001 serialization_failure, 40P01 deadlock_detected, 08 connection exceptions,
        // 53 insufficient resources, 57P01-57P03 shutdown / cannot connect now.
        ["40001", "40P01", "57P01", "57P02", "57P03"].contains(sqlState)
            || sqlState.hasPrefix("08") || sqlState.hasPrefix("53")
    }

    /// SQLSTATE 57014: the statement was cancelled (by a cancel request or `statement_timeout`).
    public var isQueryCanceled: Bool { sqlState == "57014" }
}
