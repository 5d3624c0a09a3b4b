import OutriggerCore
import PostgresComponents
import Testing

@Suite("Pool bound and statement timeout")
struct PoolAndTimeoutTests {
    @Test("no more than maxConns connections run statements at once; the others wait their turn and then run")
    func poolBound() async throws {
        guard TestDatabase.isAvailable() else { return }
        let application = TestDatabase.uniqueName("pool")
        let lockKey = Int64.random(in: 1...Int64(Int32.max))
        let controller = try await TestDatabase.binding(["maxConns": "1"])
        let subject = try await TestDatabase.binding(["connectionString": TestDatabase.keywordValue + " application_name=\(application)", "maxConns": "2"])
        try await controller.exec("select pg_advisory_lock($1)", params: "[\(lockKey)]")

        let statements = Task {
            try await withThrowingTaskGroup(of: String.self) { group in
                for _ in 0..<4 {
                    group.addTask { try await subject.query("select pg_advisory_xact_lock_shared($1)::text", params: "[\(lockKey)]") }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
        }
        // Wait until both allowed connections are blocked on the lock (the other two statements
        // then wait for a pooled connection), then count this application's backends.
        let waitingOnLock = "select count(*) from pg_stat_activity where application_name = $1 and wait_event_type = 'Lock'"
        let deadline = ContinuousClock.now + .seconds(15)
        while try await controller.query(waitingOnLock, params: "[\"\(application)\"]") != "[[2]]" {
            guard ContinuousClock.now < deadline else { break }
            try await Task.sleep(for: .milliseconds(20))
        }
        #expect(try await controller.query(waitingOnLock, params: "[\"\(application)\"]") == "[[2]]")
        #expect(try await controller.query("select count(*) from pg_stat_activity where application_name = $1", params: "[\"\(application)\"]") == "[[2]]")

        try await controller.exec("select pg_advisory_unlock($1)", params: "[\(lockKey)]")
        let answers = try await statements.value
        #expect(answers == Array(repeating: #"[[""]]"#, count: 4))
        #expect(try await controller.query("select count(*) from pg_stat_activity where application_name = $1", params: "[\"\(application)\"]") == "[[2]]")
        try await subject.close()
        try await controller.close()
    }

    @Test("timeout cancels a long statement on the server and the binding stays usable")
    func timeoutCancels() async throws {
        guard TestDatabase.isAvailable() else { return }
        let application = TestDatabase.uniqueName("timeout")
        // 3 s, not 1 s: the binding also connects within `timeout` at start (a loaded CI box).
        let binding = try await TestDatabase.bindingStartedUnderLoad([
            "connectionString": TestDatabase.keywordValue + " application_name=\(application)", "timeout": "3s", "maxConns": "1",
        ])
        let started = ContinuousClock.now
        do {
            _ = try await binding.query("select pg_sleep(30)")
            Issue.record("pg_sleep(30) finished within a 3s timeout")
        } catch let error as ComponentError {
            #expect(error.kind == .retriable)
            #expect(error.message.contains("timed out after 3s"), "\(error)")
        }
        #expect(ContinuousClock.now - started < .seconds(20))
        // The call returns only once the server gave up on the statement: nothing of it is left running.
        #expect(try await binding.query(
            "select count(*) from pg_stat_activity where application_name = $1 and query like '%pg_sleep(30)%' and state = 'active' and pid <> pg_backend_pid()",
            params: "[\"\(application)\"]") == "[[0]]")
        try await binding.close()
    }

    @Test("the wait for a pooled connection counts against timeout, and a caller that gave up leaves the line")
    func waitingForAConnectionTimesOut() async throws {
        guard TestDatabase.isAvailable() else { return }
        let lockKey = Int64.random(in: 1...Int64(Int32.max))
        let controller = try await TestDatabase.binding(["maxConns": "1"])
        // 3 s, not 1 s: the binding also connects within `timeout` at start, and a loaded CI box
        // (every test target at once) once took longer than 1 s for that.
        let subject = try await TestDatabase.bindingStartedUnderLoad(["maxConns": "1", "timeout": "3s"])
        try await controller.exec("select pg_advisory_lock($1)", params: "[\(lockKey)]")
        let holder = Task { try await subject.query("select pg_advisory_xact_lock_shared($1)::text", params: "[\(lockKey)]") }
        // The holder must have the one connection (blocked on the lock) before the waiter asks.
        while try await controller.query("select count(*) from pg_locks where locktype = 'advisory' and not granted") == "[[0]]" {
            await Task.yield()
        }
        let waitedFrom = ContinuousClock.now
        let waiter = Task { try await subject.query("select 'never waited'") }
        await #expect { try await holder.value } throws: { error in
            (error as? ComponentError)?.message.contains("timed out after 3s") == true
        }
        // The waiter stood in line behind the holder. Its own 3 s cover the wait, so it gives
        // up (or, if the holder's cancel freed the connection first, runs) — it never waits on
        // past its timeout for a connection that does not come.
        let waited: String
        do {
            waited = try await waiter.value
        } catch let error as ComponentError {
            #expect(error.message.contains("timed out after 3s"), "\(error)")
            waited = "timed out"
        }
        #expect(ContinuousClock.now - waitedFrom < .seconds(15), "the waiter outlived its timeout: \(waited)")
        try await controller.exec("select pg_advisory_unlock($1)", params: "[\(lockKey)]")
        // Both are done; the one connection is free again.
        #expect(try await subject.query("select 'after'") == #"[["after"]]"#)
        try await subject.close()
        try await controller.close()
    }
}
