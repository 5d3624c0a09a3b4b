/// A connection string as pgx (and so Dapr) reads it: a URL
/// (`postgres://user:pass@host:5432/db?sslmode=disable`, also `postgresql://`) or
/// `keyword=value` pairs (`host=db user=app password='a b' dbname=orders`).
///
/// Parsing separates what libpq would refuse:
/// - pgxpool's `pool_*` parameters become ``pool`` (validated as pgx validates them);
/// - pgx's connection parameters `statement_cache_capacity`, `description_cache_capacity`
///   and `default_query_exec_mode` are validated and kept apart (``queryExecMode``);
/// - `database` is libpq's `dbname`;
/// - any other keyword libpq does not know is, as with pgx, a server setting sent at
///   start-up (`search_path=app` becomes `options=-c search_path=app`), see
///   ``libpqParameters(knownKeywords:)``.
///
/// Error messages name the offending keyword and never repeat the string (it may hold a password).
public struct PostgresConnectionString: Sendable, Equatable {
    /// Connection settings by keyword, `database` already renamed `dbname`.
    public private(set) var settings: [String: String]
    /// The pgxpool parameters found in the string.
    public var pool: PostgresPoolSettings
    /// pgx's `default_query_exec_mode`, when given (one of ``queryExecModes``).
    public var queryExecMode: String?

    /// The query execution modes pgx knows.
    public static let queryExecModes = ["cache_statement", "cache_describe", "describe_exec", "exec", "simple_protocol"]

    /// Parses `text` in either form; an empty text gives no settings (libpq's defaults).
    public init(parsing text: String) throws(PostgresConnectionStringError) {
        settings = [:]
        pool = PostgresPoolSettings()
        let pairs: [(key: String, value: String)]
        if text.hasPrefix("postgres://") || text.hasPrefix("postgresql://") {
            pairs = try ConnectionURLParser.parse(text)
        } else {
            pairs = try KeywordValueParser.parse(text)
        }
        for (key, value) in pairs {
            try set(key, value)
        }
    }

    /// The value of `key` (`database` and `dbname` are the same keyword).
    public subscript(key: String) -> String? {
        settings[Self.canonical(key)]
    }

    /// Sets one parameter as if it were written in the string, last one winning.
    public mutating func set(_ key: String, _ value: String) throws(PostgresConnectionStringError) {
        let key = Self.canonical(key)
        if key.hasPrefix("pool_"), try pool.apply(key, value) { return }
        switch key {
        case "statement_cache_capacity", "description_cache_capacity":
            guard Int32(value) != nil else { throw PostgresConnectionStringError("cannot parse \(key): '\(value)' is not an integer") }
        case "default_query_exec_mode":
            guard Self.queryExecModes.contains(value) else {
                throw PostgresConnectionStringError("invalid default_query_exec_mode '\(value)' (one of \(Self.queryExecModes.joined(separator: ", ")))")
            }
            queryExecMode = value
        default:
            settings[key] = value
        }
    }

    /// Removes `key` from the settings.
    public mutating func remove(_ key: String) {
        settings[Self.canonical(key)] = nil
    }

    /// The keyword/value pairs for `PQconnectdbParams`: settings whose keyword is in
    /// `knownKeywords` as they are; every other one appended to `options` as
    /// `-c keyword=value` (spaces and backslashes escaped), so the server applies it as a
    /// setting of the session, as pgx does with parameters it does not know.
    public func libpqParameters(knownKeywords: Set<String>) -> [(key: String, value: String)] {
        var parameters: [(key: String, value: String)] = []
        var serverSettings: [String] = []
        for key in settings.keys.sorted() {
            let value = settings[key] ?? ""
            if knownKeywords.contains(key) {
                if key != "options" { parameters.append((key, value)) }
            } else {
                serverSettings.append("-c " + Self.escapeOption(key) + "=" + Self.escapeOption(value))
            }
        }
        let options = ([settings["options"]].compactMap { $0 } + serverSettings).joined(separator: " ")
        if !options.isEmpty { parameters.append(("options", options)) }
        return parameters
    }

    static func canonical(_ key: String) -> String {
        key == "database" ? "dbname" : key
    }

    private static func escapeOption(_ text: String) -> String {
        var escaped = ""
        for character in text.unicodeScalars {
            if character == " " || character == "\\" || character == "\t" { escaped += "\\" }
            escaped.unicodeScalars.append(character)
        }
        return escaped
    }
}

/// A connection string that cannot be read; the message never contains the string itself.
public struct PostgresConnectionStringError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What is wrong, naming the keyword.
    public var message: String

    /// An error saying `message`.
    public init(_ message: String) {
        self.message = message
    }

    /// The message.
    public var description: String { message }
}
