/// One field of a result row, typed from its column's type OID.
///
/// | column type | value |
/// |---|---|
/// | `int2`, `int4`, `int8`, `oid` | ``integer(_:)`` |
/// | `float4`, `float8` | ``double(_:)`` (NaN and ±Infinity included) |
/// | `numeric` | ``numeric(_:)``: the exact decimal text (`NaN`, `Infinity`, `-Infinity` possible) |
/// | `bool` | ``bool(_:)`` |
/// | `timestamp`, `timestamptz`, `date` | ``timestamp(_:)`` in UTC; a `date` is its midnight UTC, a `timestamp` without zone is read as UTC |
/// | `json`, `jsonb` | ``json(_:)``: the JSON text as the server sent it |
/// | `bytea` | ``bytes(_:)`` |
/// | one-dimensional or nested arrays of the types above, and of text types | ``array(_:)`` |
/// | SQL `NULL` | ``null`` |
/// | anything else (`text`, `varchar`, `uuid`, `interval`, `time`, `inet`, enums...) | ``string(_:)``: the server's text form |
///
/// `infinity`/`-infinity` and BC timestamps, and timestamps read while the session's
/// `DateStyle` is not `ISO`, stay ``string(_:)`` in the server's text form.
public enum PostgresValue: Sendable, Hashable {
    /// SQL `NULL`.
    case null
    /// `bool`.
    case bool(Bool)
    /// `int2`, `int4`, `int8`, `oid`.
    case integer(Int64)
    /// `float4`, `float8`.
    case double(Double)
    /// `numeric`: the exact decimal text.
    case numeric(String)
    /// Any type without a case of its own: the server's text form.
    case string(String)
    /// `timestamp`, `timestamptz`, `date`, in UTC.
    case timestamp(UTCDateTime)
    /// `json`, `jsonb`: the JSON text.
    case json(String)
    /// `bytea`.
    case bytes([UInt8])
    /// An array of any of these, nested for several dimensions.
    case array([PostgresValue])
}
