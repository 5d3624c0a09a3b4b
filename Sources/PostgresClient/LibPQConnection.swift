import CLibPQ
import CLibraryLoader

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The libpq handle of one connection (`PGconn` and its `PGcancel`); `PQfinish` in `deinit`.
///
/// `@unchecked Sendable` because the compiler cannot see the discipline that makes it safe:
/// every method except ``sendCancel()`` is called only on the owning connection's
/// `WorkerThread`, one call at a time; ``sendCancel()`` uses only the `PGcancel` object,
/// which libpq documents as safe to use from another thread while the connection is busy,
/// and ``PostgresConnection`` never calls it twice at once.
final class LibPQConnection: @unchecked Sendable {
    private let connection: OpaquePointer
    private let canceller: OpaquePointer?
    /// Set when the session is in a state the client does not continue from (a COPY).
    private var unusable = false

    private init(connection: OpaquePointer) {
        self.connection = connection
        self.canceller = PQgetCancel(connection)
        // libpq prints notices (`NOTICE: table "x" does not exist, skipping`, an idle session's
        // termination message) to stderr by default; a sidecar's stderr is not the place.
        PQsetNoticeProcessor(connection, { _, _ in }, nil)
    }

    deinit {
        if let canceller { PQfreeCancel(canceller) }
        PQfinish(connection)
    }

    /// Connects with `PQconnectdbParams` (blocking); libpq's message on failure.
    static func connect(_ parameters: [(key: String, value: String)]) throws(PostgresError) -> LibPQConnection {
        if let failure = outrigger_load_libpq() { throw .connection(String(cString: failure)) }
        let keywords = parameters.map { strdup($0.key) }
        let values = parameters.map { strdup($0.value) }
        defer {
            keywords.forEach { free($0) }
            values.forEach { free($0) }
        }
        let keywordArray = keywords.map { $0.map { UnsafePointer($0) } } + [nil]
        let valueArray = values.map { $0.map { UnsafePointer($0) } } + [nil]
        let handle = keywordArray.withUnsafeBufferPointer { keywordBuffer in
            valueArray.withUnsafeBufferPointer { valueBuffer in
                PQconnectdbParams(keywordBuffer.baseAddress, valueBuffer.baseAddress, 0)
            }
        }
        guard let handle else { throw .connection("libpq could not allocate a connection") }
        guard PQstatus(handle) == CONNECTION_OK else {
            let message = Self.trimmed(PQerrorMessage(handle))
            PQfinish(handle)
            throw .connection(message)
        }
        return LibPQConnection(connection: handle)
    }

    /// The connection keywords this libpq accepts (`PQconndefaults`); none when libpq cannot be
    /// loaded (``connect(_:)`` then says why).
    static let knownKeywords: Set<String> = {
        guard outrigger_load_libpq() == nil, let defaults = PQconndefaults() else { return [] }
        defer { PQconninfoFree(defaults) }
        var keywords: Set<String> = []
        var option = defaults
        while let keyword = option.pointee.keyword {
            keywords.insert(String(cString: keyword))
            option += 1
        }
        return keywords
    }()

    /// Whether the connection cannot be used again (libpq knows it broke, or a COPY started).
    var isBroken: Bool { unusable || PQstatus(connection) != CONNECTION_OK }

    /// Whether an idle connection is still usable: reads whatever the server sent meanwhile
    /// (never blocks) and sees whether the socket was closed.
    func checkAlive() -> Bool {
        // A server that ends a session sends an error, then closes the socket: read while the
        // socket has something (the error, then the end of file that marks the connection bad).
        for _ in 0..<8 {
            guard !isBroken else { return false }
            var socket = pollfd(fd: PQsocket(connection), events: Int16(POLLIN), revents: 0)
            guard poll(&socket, 1, 0) > 0 else { return true }
            guard PQconsumeInput(connection) == 1 else { return false }
        }
        return !isBroken
    }

    /// An empty query: one round trip that proves the server answers.
    func ping() throws(PostgresError) {
        guard let result = PQexec(connection, "") else { throw .connection(Self.trimmed(PQerrorMessage(connection))) }
        defer { PQclear(result) }
        let status = PQresultStatus(result)
        guard status == PGRES_EMPTY_QUERY || status == PGRES_COMMAND_OK else { throw error(of: result) }
    }

    /// Asks the server to cancel whatever this connection runs now (`PQcancel`, a separate
    /// short connection to the server; blocking). `nil` on success, else libpq's reason.
    func sendCancel() -> String? {
        guard let canceller else { return "libpq could not create a cancel request" }
        var buffer = [CChar](repeating: 0, count: 256)
        let sent = PQcancel(canceller, &buffer, Int32(buffer.count))
        if sent == 1 { return nil }
        return buffer.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
    }

    /// Runs one statement. Parameters travel in a `Bind` message (`PQexecParams`), never in the
    /// SQL text; when a ``PostgresParameter/list(_:text:)`` needs the parameter types, the
    /// statement is prepared unnamed and described first. `simpleProtocol` (only without
    /// parameters) sends the SQL as a simple `Query`, which may hold several statements.
    func execute(_ sql: String, parameters: [PostgresParameter], simpleProtocol: Bool) throws(PostgresError) -> PostgresResult {
        for (index, parameter) in parameters.enumerated() where parameter.containsNUL {
            throw .invalidParameter(index: index + 1, reason: "contains a NUL byte, which PostgreSQL text cannot hold")
        }
        let result: OpaquePointer?
        if simpleProtocol && parameters.isEmpty {
            result = PQexec(connection, sql)
        } else if parameters.contains(where: \.needsParameterTypes) {
            let types = try describeParameters(sql, count: parameters.count)
            let texts = parameters.enumerated().map { $0.element.wireText(forType: $0.offset < types.count ? types[$0.offset] : nil) }
            result = Self.withCStrings(texts) { values in
                PQexecPrepared(connection, "", Int32(texts.count), values, nil, nil, 0)
            }
        } else {
            let texts = parameters.map { $0.wireText(forType: nil) }
            result = Self.withCStrings(texts) { values in
                PQexecParams(connection, sql, Int32(texts.count), nil, values, nil, nil, 0)
            }
        }
        guard let result else { throw .connection(Self.trimmed(PQerrorMessage(connection))) }
        defer { PQclear(result) }
        return try read(result)
    }

    private func describeParameters(_ sql: String, count: Int) throws(PostgresError) -> [UInt32] {
        guard let prepared = PQprepare(connection, "", sql, 0, nil) else { throw .connection(Self.trimmed(PQerrorMessage(connection))) }
        defer { PQclear(prepared) }
        guard PQresultStatus(prepared) == PGRES_COMMAND_OK else { throw error(of: prepared) }
        guard let description = PQdescribePrepared(connection, "") else { throw .connection(Self.trimmed(PQerrorMessage(connection))) }
        defer { PQclear(description) }
        guard PQresultStatus(description) == PGRES_COMMAND_OK else { throw error(of: description) }
        return (0..<PQnparams(description)).map { UInt32(PQparamtype(description, $0)) }
    }

    private func read(_ result: OpaquePointer) throws(PostgresError) -> PostgresResult {
        let status = PQresultStatus(result)
        switch status {
        case PGRES_EMPTY_QUERY:
            return PostgresResult()
        case PGRES_COMMAND_OK:
            return PostgresResult(rowsAffected: Self.rowsAffected(result))
        case PGRES_TUPLES_OK, PGRES_SINGLE_TUPLE:
            let isoDateStyle = PQparameterStatus(connection, "DateStyle").map { String(cString: $0).hasPrefix("ISO") } ?? false
            let columnCount = PQnfields(result)
            let columns = (0..<columnCount).map { column in
                PostgresColumn(name: PQfname(result, column).map { String(cString: $0) } ?? "", typeOID: UInt32(PQftype(result, column)))
            }
            var rows: [[PostgresValue]] = []
            rows.reserveCapacity(Int(PQntuples(result)))
            for row in 0..<PQntuples(result) {
                var values: [PostgresValue] = []
                values.reserveCapacity(Int(columnCount))
                for column in 0..<columnCount {
                    if PQgetisnull(result, row, column) == 1 {
                        values.append(.null)
                    } else {
                        let text = String(cString: PQgetvalue(result, row, column))
                        values.append(.decode(text: text, typeOID: columns[Int(column)].typeOID, isoDateStyle: isoDateStyle))
                    }
                }
                rows.append(values)
            }
            return PostgresResult(columns: columns, rows: rows, rowsAffected: Self.rowsAffected(result))
        case PGRES_COPY_IN, PGRES_COPY_OUT, PGRES_COPY_BOTH:
            // The protocol now expects COPY data; rather than stream it, have the pool discard
            // this connection.
            unusable = true
            throw .connection("COPY ... FROM STDIN / TO STDOUT is not supported")
        default:
            throw error(of: result)
        }
    }

    /// The server's error fields, or libpq's own message when the failure was on the client
    /// side (a lost connection has no SQLSTATE).
    private func error(of result: OpaquePointer) -> PostgresError {
        func field(_ code: Character) -> String? {
            PQresultErrorField(result, Int32(code.asciiValue!)).map { String(cString: $0) }
        }
        guard let sqlState = field("C"), let message = field("M") else {
            let text = Self.trimmed(PQresultErrorMessage(result))
            return .connection(text.isEmpty ? Self.trimmed(PQerrorMessage(connection)) : text)
        }
        return .server(PostgresServerError(severity: field("V") ?? field("S") ?? "ERROR", sqlState: sqlState, message: message, detail: field("D"), hint: field("H")))
    }

    private static func rowsAffected(_ result: OpaquePointer) -> Int64 {
        guard let text = PQcmdTuples(result) else { return 0 }
        return Int64(String(cString: text)) ?? 0
    }

    private static func trimmed(_ message: UnsafePointer<CChar>?) -> String {
        guard let message else { return "" }
        var text = String(cString: message)
        while text.last?.isWhitespace == true { text.removeLast() }
        return text
    }

    private static func withCStrings<Result>(_ strings: [String?], _ body: (UnsafePointer<UnsafePointer<CChar>?>?) -> Result) -> Result {
        let copies = strings.map { $0.flatMap { strdup($0) } }
        defer { copies.forEach { free($0) } }
        let pointers = copies.map { $0.map { UnsafePointer($0) } }
        return pointers.withUnsafeBufferPointer { body($0.baseAddress) }
    }
}
