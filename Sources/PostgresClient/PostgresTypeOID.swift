/// The built-in type OIDs (`pg_type.oid`, fixed in every PostgreSQL) the client decodes.
enum PostgresTypeOID {
    static let bool: UInt32 = 16
    static let bytea: UInt32 = 17
    static let int8: UInt32 = 20
    static let int2: UInt32 = 21
    static let int4: UInt32 = 23
    static let oid: UInt32 = 26
    static let json: UInt32 = 114
    static let float4: UInt32 = 700
    static let float8: UInt32 = 701
    static let date: UInt32 = 1082
    static let timestamp: UInt32 = 1114
    static let timestamptz: UInt32 = 1184
    static let numeric: UInt32 = 1700
    static let jsonb: UInt32 = 3802

    /// Array type → element type, for the built-in arrays whose text form is `{a,b,...}`
    /// with `,` between elements.
    static let arrayElement: [UInt32: UInt32] = [
        1000: bool, 1001: bytea, 1002: 18, 1003: 19, 1005: int2, 1007: int4, 1009: 25,
        1014: 1042, 1015: 1043, 1016: int8, 1021: float4, 1022: float8, 1028: oid,
        1115: timestamp, 1182: date, 1185: timestamptz, 1231: numeric, 2951: 2950,
        199: json, 3807: jsonb, 1183: 1083, 1187: 1186, 1270: 1266, 1041: 869, 651: 650,
        1040: 829, 775: 774, 3643: 3614,
    ]

    /// Whether `oid` is a built-in array type (a ``PostgresParameter/list(_:text:)`` for it is
    /// sent as an array literal).
    static func isArray(_ oid: UInt32) -> Bool { arrayElement[oid] != nil }
}
