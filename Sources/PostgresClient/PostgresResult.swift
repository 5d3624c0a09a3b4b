/// A result column: its name and the OID of its type (`pg_type.oid`).
public struct PostgresColumn: Sendable, Hashable {
    /// The column's name (`?column?` for an unnamed expression).
    public var name: String
    /// The OID of the column's type.
    public var typeOID: UInt32

    /// A column of this name and type.
    public init(name: String, typeOID: UInt32) {
        self.name = name
        self.typeOID = typeOID
    }
}

/// What one statement returned: rows for a query (empty for a command), and the count the
/// server's command tag carries (rows inserted, updated, deleted, selected, copied; 0 for DDL).
public struct PostgresResult: Sendable, Hashable {
    /// The result's columns, in order (empty for a command).
    public var columns: [PostgresColumn]
    /// The rows, each with one value per column.
    public var rows: [[PostgresValue]]
    /// The count from the command tag (`INSERT 0 3` → 3); 0 when the tag has none.
    public var rowsAffected: Int64

    /// A result with these parts.
    public init(columns: [PostgresColumn] = [], rows: [[PostgresValue]] = [], rowsAffected: Int64 = 0) {
        self.columns = columns
        self.rows = rows
        self.rowsAffected = rowsAffected
    }
}
