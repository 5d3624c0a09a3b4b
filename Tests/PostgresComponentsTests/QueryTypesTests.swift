import OutriggerCore
import PostgresComponents
import Testing

@Suite("query answers typed JSON rows")
struct QueryTypesTests {
    @Test("values bound into typed columns come back as typed JSON, one array per row")
    func typedColumnsRoundTrip() async throws {
        guard TestDatabase.isAvailable() else { return }
        let binding = try await TestDatabase.binding()
        let table = TestDatabase.uniqueName("types")
        try await binding.exec("""
            create table \(table) (small int2, regular int4, big int8, exact numeric(10,2), approx float8, single float4,
              flag bool, body text, label varchar(20), missing text, at timestamp, atz timestamptz, day date, doc json, docb jsonb)
            """)
        let inserted = try await binding.exec(
            "insert into \(table) values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)",
            params: #"[7, 2.0, 9007199254740993, "12.5", 1.25, 0.1, true, "hello \"world\"", "tag", null, "2024-03-01T12:30:05.25", "2024-03-01T12:30:05+02:00", "2024-03-01", {"a":[1,2]}, {"b": {"c": null}}]"#)
        #expect(inserted.metadata["rows-affected"] == "1")
        let rows = try await binding.query("select * from \(table)")
        #expect(rows == #"[[7,2,9007199254740993,12.50,1.25,0.1,true,"hello \"world\"","tag",null,"2024-03-01T12:30:05.25Z","2024-03-01T10:30:05Z","2024-03-01T00:00:00Z",{"a":[1,2]},{"b":{"c":null}}]]"#)
        try await binding.exec("drop table \(table)")
        try await binding.close()
    }

    @Test("bytea as base64, arrays as arrays, uuid and interval as text, non-finite floats as strings")
    func otherTypes() async throws {
        guard TestDatabase.isAvailable() else { return }
        let binding = try await TestDatabase.binding()
        let rows = try await binding.query("""
            select '\\x00ff10'::bytea, array[1, null, 3]::int4[], array['a b', 'c"d'], '6ba7b810-9dad-11d1-80b4-00c04fd430c8'::uuid,
              interval '1 day 2 hours', 'NaN'::float8, '-Infinity'::float4, 'NaN'::numeric, 1e20::float8
            """)
        #expect(rows == #"[["AP8Q",[1,null,3],["a b","c\"d"],"6ba7b810-9dad-11d1-80b4-00c04fd430c8","1 day 02:00:00","NaN","-Infinity","NaN",1e+20]]"#)
        try await binding.close()
    }

    @Test("a JSON array parameter is an array for = ANY($1) and JSON for a jsonb parameter")
    func arrayParameters() async throws {
        guard TestDatabase.isAvailable() else { return }
        let binding = try await TestDatabase.binding()
        #expect(try await binding.query("select x from generate_series(1, 5) x where x = any($1) order by x", params: "[[2, 4, 9]]") == "[[2],[4]]")
        #expect(try await binding.query("select $1::jsonb -> 1", params: #"[[10, "eleven"]]"#) == #"[["eleven"]]"#)
        #expect(try await binding.query("select $1::text[]", params: #"[["a,b", null, "c\"d"]]"#) == #"[[["a,b",null,"c\"d"]]]"#)
        try await binding.close()
    }

    @Test("a query without rows answers an empty array")
    func noRows() async throws {
        guard TestDatabase.isAvailable() else { return }
        let binding = try await TestDatabase.binding()
        #expect(try await binding.query("select 1 where false") == "[]")
        try await binding.close()
    }
}
