import Testing

@testable import OutriggerHTTPAPI

/// One test per transition of ``AppConnectionPool``, with plain values for connections and waiters.
@Suite struct AppConnectionPoolTests {
    struct Connection: Identifiable, Equatable {
        var id: Int
    }

    typealias Pool = AppConnectionPool<Connection, String>

    private func leaseConnection(_ pool: inout Pool, alive: Bool = true) -> Connection? {
        if case .lease(.connection(let connection)) = pool.lease(isAlive: { _ in alive }) { return connection }
        return nil
    }

    private func leaseOpens(_ pool: inout Pool) -> Bool {
        if case .lease(.open) = pool.lease(isAlive: { _ in true }) { return true }
        return false
    }

    /// A pool with `count` leased connections, ids 1...count.
    private func fullPool(_ count: Int, maxWaiters: Int = 10) -> Pool {
        var pool = Pool(maxConnections: count, maxWaiters: maxWaiters)
        for id in 1...count {
            let granted = leaseOpens(&pool)
            let opened = pool.opened(Connection(id: id))
            #expect(granted && opened)
        }
        return pool
    }

    @Test func emptyPoolGrantsASlotToOpen() {
        var pool = Pool(maxConnections: 2, maxWaiters: 10)
        let granted = leaseOpens(&pool)
        #expect(granted && pool.opening == 1 && pool.connectionCount == 1)
    }

    @Test func fullPoolAsksToWait() {
        var pool = fullPool(2)
        guard case .wait = pool.lease(isAlive: { _ in true }) else {
            Issue.record("expected wait")
            return
        }
        #expect(pool.connectionCount == 2)
    }

    @Test func openedConnectionIsLeased() {
        var pool = Pool(maxConnections: 1, maxWaiters: 10)
        _ = leaseOpens(&pool)
        let opened = pool.opened(Connection(id: 7))
        #expect(opened)
        #expect(pool.opening == 0 && pool.leased[7] != nil)
    }

    @Test func reusableReleaseParksIdleAndIsLeasedAgainLastInFirstOut() {
        var pool = fullPool(2)
        _ = pool.release(Connection(id: 1), reusable: true)
        _ = pool.release(Connection(id: 2), reusable: true)
        #expect(pool.idle == [Connection(id: 1), Connection(id: 2)])
        let leased = leaseConnection(&pool)
        #expect(leased == Connection(id: 2))
    }

    @Test func deadIdleConnectionsAreSkipped() {
        var pool = fullPool(1)
        _ = pool.release(Connection(id: 1), reusable: true)
        let leased = leaseConnection(&pool, alive: false)
        #expect(leased == nil)
        #expect(pool.idle.isEmpty && pool.opening == 1)
    }

    @Test func enqueueQueuesWhenFull() {
        var pool = fullPool(1)
        let result = pool.enqueue("a", id: 1, isCancelled: false, isAlive: { _ in true })
        #expect(result == nil)
        #expect(pool.waiterCount == 1)
    }

    @Test func enqueueResumesAtOnceWhenSomethingCameBack() throws {
        var pool = fullPool(1)
        _ = pool.release(Connection(id: 1), reusable: true)
        let next = pool.enqueue("a", id: 1, isCancelled: false, isAlive: { _ in true })
        let resume = try #require(next)
        guard case .success(.connection(let connection)) = resume.result else {
            Issue.record("expected the idle connection")
            return
        }
        #expect(connection.id == 1 && pool.waiterCount == 0)
    }

    @Test func enqueueFailsWhenCancelled() throws {
        var pool = fullPool(1)
        let next = pool.enqueue("a", id: 1, isCancelled: true, isAlive: { _ in true })
        let resume = try #require(next)
        #expect(throws: CancellationError.self) { try resume.result.get() }
        #expect(pool.waiterCount == 0)
    }

    @Test func enqueueFailsBeyondTheBound() throws {
        var pool = fullPool(1, maxWaiters: 1)
        let result = pool.enqueue("a", id: 1, isCancelled: false, isAlive: { _ in true })
        #expect(result == nil)
        let next = pool.enqueue("b", id: 2, isCancelled: false, isAlive: { _ in true })
        let resume = try #require(next)
        #expect(throws: AppHTTPClientError.tooManyQueuedRequests(limit: 1)) { try resume.result.get() }
    }

    @Test func reusableReleaseGoesToTheLongestWaiter() throws {
        var pool = fullPool(1)
        _ = pool.enqueue("first", id: 1, isCancelled: false, isAlive: { _ in true })
        _ = pool.enqueue("second", id: 2, isCancelled: false, isAlive: { _ in true })
        let action = pool.release(Connection(id: 1), reusable: true)
        let resume = try #require(action.resume)
        #expect(resume.waiter == "first" && action.close == nil)
        #expect(pool.leased[1] != nil && pool.idle.isEmpty && pool.waiterCount == 1)
    }

    @Test func brokenReleaseClosesAndGivesTheSlotToTheLongestWaiter() throws {
        var pool = fullPool(1)
        _ = pool.enqueue("first", id: 1, isCancelled: false, isAlive: { _ in true })
        let action = pool.release(Connection(id: 1), reusable: false)
        #expect(action.close == Connection(id: 1))
        let resume = try #require(action.resume)
        guard case .success(.open) = resume.result else {
            Issue.record("expected a slot to open")
            return
        }
        #expect(resume.waiter == "first" && pool.opening == 1 && pool.connectionCount == 1)
    }

    @Test func brokenReleaseWithoutWaitersFreesTheSlot() {
        var pool = fullPool(1)
        let action = pool.release(Connection(id: 1), reusable: false)
        #expect(action.close == Connection(id: 1) && action.resume == nil)
        #expect(pool.connectionCount == 0)
    }

    @Test func failedOpenGivesTheSlotToTheLongestWaiter() throws {
        var pool = Pool(maxConnections: 1, maxWaiters: 10)
        _ = leaseOpens(&pool)
        _ = pool.enqueue("first", id: 1, isCancelled: false, isAlive: { _ in true })
        let next = pool.openFailed()
        let resume = try #require(next)
        #expect(resume.waiter == "first" && pool.opening == 1)
    }

    @Test func failedOpenWithoutWaitersFreesTheSlot() {
        var pool = Pool(maxConnections: 1, maxWaiters: 10)
        _ = leaseOpens(&pool)
        let result = pool.openFailed()
        #expect(result == nil)
        #expect(pool.connectionCount == 0)
    }

    @Test func removedWaiterIsNotResumedLater() {
        var pool = fullPool(1)
        _ = pool.enqueue("first", id: 1, isCancelled: false, isAlive: { _ in true })
        let removed = pool.removeWaiter(id: 1)
        let again = pool.removeWaiter(id: 1)
        let action = pool.release(Connection(id: 1), reusable: true)
        #expect(removed == "first" && again == nil && action.resume == nil)
        #expect(pool.idle == [Connection(id: 1)])
    }

    @Test func idleConnectionClosedByTheAppLeavesThePool() {
        var pool = fullPool(2)
        _ = pool.release(Connection(id: 1), reusable: true)
        let result = pool.closed(id: 1)
        #expect(result == nil)
        #expect(pool.idle.isEmpty && pool.connectionCount == 1)
    }

    @Test func leasedConnectionClosingWaitsForItsRelease() {
        var pool = fullPool(1)
        let result = pool.closed(id: 1)
        #expect(result == nil)
        #expect(pool.leased[1] != nil)
    }

    @Test func shutdownHandsBackEverythingAndRefusesLaterLeases() {
        var pool = fullPool(2)
        _ = pool.release(Connection(id: 1), reusable: true)
        _ = pool.enqueue("waiting", id: 9, isCancelled: false, isAlive: { _ in true })
        _ = pool.enqueue("also", id: 10, isCancelled: false, isAlive: { _ in true })
        let (close, fail) = pool.shutdown()
        #expect(Set(close.map(\.id)) == [1, 2])
        #expect(fail == ["also"])
        guard case .fail(.shutdown) = pool.lease(isAlive: { _ in true }) else {
            Issue.record("expected shutdown")
            return
        }
    }

    @Test func releaseAndOpenAfterShutdownClose() {
        var pool = fullPool(2)
        _ = pool.shutdown()
        let action = pool.release(Connection(id: 2), reusable: true)
        #expect(action.close == Connection(id: 2))
        var opening = Pool(maxConnections: 1, maxWaiters: 1)
        _ = leaseOpens(&opening)
        _ = opening.shutdown()
        let result = opening.opened(Connection(id: 1))
        #expect(result == false)
        #expect(opening.connectionCount == 0)
    }
}
