import OutriggerCore
import PostgresComponents
import Testing

@Suite("exec on a real PostgreSQL")
struct ExecTests {
    @Test("exec creates a table and changes rows with bound parameters, answering rows-affected")
    func execWithParameters() async throws {
        guard TestDatabase.isAvailable() else { return }
        let binding = try await TestDatabase.binding()
        let table = TestDatabase.uniqueName("exec")
        let created = try await binding.exec("create table \(table) (id int primary key, name text)")
        #expect(created.metadata["rows-affected"] == "0")
        let inserted = try await binding.exec("insert into \(table) (id, name) values ($1, $2), ($3, $4), ($5, $6)", params: #"[1, "one", 2, "two", 3, "three"]"#)
        #expect(inserted.metadata["rows-affected"] == "3")
        let updated = try await binding.exec("update \(table) set name = upper(name) where id >= $1", params: "[2]")
        #expect(updated.metadata["rows-affected"] == "2")
        #expect(try await binding.query("select id, name from \(table) order by id") == #"[[1,"one"],[2,"TWO"],[3,"THREE"]]"#)
        try await binding.exec("drop table \(table)")
        try await binding.close()
    }

    @Test("exec and query answer Dapr's response metadata: operation, sql, start-time, end-time, duration")
    func responseMetadata() async throws {
        guard TestDatabase.isAvailable() else { return }
        let binding = try await TestDatabase.binding()
        let response = try await binding.invoke(BindingRequest(operation: "query", data: [], metadata: ["sql": "select 1"]))
        #expect(response.metadata["operation"] == "query")
        #expect(response.metadata["sql"] == "select 1")
        #expect(response.metadata["rows-affected"] == nil)
        let rfc3339 = /\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{1,9})?Z/
        let start = try #require(response.metadata["start-time"])
        let end = try #require(response.metadata["end-time"])
        #expect(start.wholeMatch(of: rfc3339) != nil, "\(start)")
        #expect(end.wholeMatch(of: rfc3339) != nil, "\(end)")
        #expect(start <= end)
        let duration = try #require(response.metadata["duration"])
        #expect(duration.wholeMatch(of: /[0-9.]+(ns|µs|ms|s)/) != nil, "\(duration)")
        try await binding.close()
    }

    @Test("parameters are bound, never spliced into the SQL: an injection attempt is stored as text")
    func parametersAreNotInterpolated() async throws {
        guard TestDatabase.isAvailable() else { return }
        let binding = try await TestDatabase.binding()
        let table = TestDatabase.uniqueName("injection")
        try await binding.exec("create table \(table) (id int, value text)")
        let hostile = "'; drop table \(table); --"
        let params = "[1, \"\(hostile)\"]"
        try await binding.exec("insert into \(table) (id, value) values ($1, $2)", params: params)
        try await binding.exec("insert into \(table) (id, value) values ($1, $2)", params: #"[2, "$1 \\ \" ' ; --"]"#)
        #expect(try await binding.query("select value from \(table) order by id") == "[[\"\(hostile)\"],[\"$1 \\\\ \\\" ' ; --\"]]")
        #expect(try await binding.query("select count(*) from \(table) where value = $1", params: "[\"\(hostile)\"]") == "[[1]]")
        try await binding.exec("drop table \(table)")
        try await binding.close()
    }

    @Test("an SQL error fails the call with the server's message and SQLSTATE")
    func sqlError() async throws {
        guard TestDatabase.isAvailable() else { return }
        let binding = try await TestDatabase.binding()
        let table = TestDatabase.uniqueName("missing")
        do {
            try await binding.exec("insert into \(table) values ($1)", params: "[1]")
            Issue.record("exec on a missing table succeeded")
        } catch let error as ComponentError {
            #expect(error.kind == .terminal)
            #expect(error.message == "error executing query: ERROR: relation \"\(table)\" does not exist (SQLSTATE 42P01)")
        }
        // The connection is still usable after the error.
        #expect(try await binding.query("select 2") == "[[2]]")
        try await binding.close()
    }

    @Test("queryExecMode simple_protocol runs several statements in one exec")
    func simpleProtocol() async throws {
        guard TestDatabase.isAvailable() else { return }
        let binding = try await TestDatabase.binding(["queryExecMode": "simple_protocol"])
        let table = TestDatabase.uniqueName("simple")
        let response = try await binding.exec("create table \(table) (id int); insert into \(table) values (1), (2)")
        #expect(response.metadata["rows-affected"] == "2")
        // With parameters the statement still goes through Bind, never spliced.
        #expect(try await binding.query("select count(*) from \(table) where id = $1", params: "[2]") == "[[1]]")
        try await binding.exec("drop table \(table)")
        try await binding.close()
    }
}
