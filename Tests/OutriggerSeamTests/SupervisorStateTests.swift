import OutriggerSeam
import Testing

@Suite("Supervisor state machine")
struct SupervisorStateTests {
    typealias Machine = SupervisorState<String>

    /// An action, comparable.
    enum Step: Equatable {
        case connect(Int), wait(Int), announce(String, generation: Int, isReconnect: Bool), disconnect(String), giveUp(String), none
    }

    /// A state, comparable.
    enum Phase: Equatable {
        case idle, connecting(Int, String?), connected(String, generation: Int), waiting(Int, String), failed(String), closed
    }

    /// Connected to `c1`, generation 1.
    private func connected() -> Machine {
        var machine = Machine()
        _ = machine.start()
        _ = machine.connected("c1")
        return machine
    }

    /// Lost `c1` and making attempt 1 of the reconnect.
    private func reconnecting() -> Machine {
        var machine = connected()
        _ = machine.lost(generation: 1, error: "reset")
        return machine
    }

    /// Attempt 1 of the reconnect failed with "refused"; waiting before attempt 2.
    private func waiting() -> Machine {
        var machine = reconnecting()
        _ = machine.connectFailed("refused", terminal: false)
        return machine
    }

    @Test("start from idle connects, attempt 1")
    func start() {
        var machine = Machine()
        #expect(machine.start().step == .connect(1))
        #expect(machine.state.phase == .connecting(1, nil))
    }

    @Test("start when already started does nothing")
    func startTwice() {
        var machine = connected()
        #expect(machine.start().step == Step.none)
        #expect(machine.state.phase == .connected("c1", generation: 1))
    }

    @Test("the first connection is announced as generation 1, not a reconnect")
    func firstConnected() {
        var machine = Machine()
        _ = machine.start()
        #expect(machine.connected("c1").step == .announce("c1", generation: 1, isReconnect: false))
        #expect(machine.state.phase == .connected("c1", generation: 1))
        #expect(machine.current?.connection == "c1")
    }

    @Test("a connection after a loss is announced as the next generation and a reconnect")
    func reconnected() {
        var machine = reconnecting()
        #expect(machine.connected("c2").step == .announce("c2", generation: 2, isReconnect: true))
        #expect(machine.state.phase == .connected("c2", generation: 2))
    }

    @Test("a transient connect failure waits before the next attempt")
    func transientFailure() {
        var machine = reconnecting()
        #expect(machine.connectFailed("refused", terminal: false).step == .wait(1))
        #expect(machine.state.phase == .waiting(2, "refused"))
    }

    @Test("a second transient failure waits for retry 2")
    func secondTransientFailure() {
        var machine = waiting()
        _ = machine.waited()
        #expect(machine.connectFailed("refused again", terminal: false).step == .wait(2))
        #expect(machine.state.phase == .waiting(3, "refused again"))
    }

    @Test("a terminal connect failure gives up and fails")
    func terminalFailure() {
        var machine = reconnecting()
        #expect(machine.connectFailed("bad password", terminal: true).step == .giveUp("bad password"))
        #expect(machine.state.phase == .failed("bad password"))
    }

    @Test("a connect failure when not connecting does nothing")
    func failureWhenNotConnecting() {
        var machine = connected()
        #expect(machine.connectFailed("late", terminal: true).step == Step.none)
        #expect(machine.state.phase == .connected("c1", generation: 1))
    }

    @Test("the end of a wait connects with the next attempt number")
    func waited() {
        var machine = waiting()
        #expect(machine.waited().step == .connect(2))
        #expect(machine.state.phase == .connecting(2, "refused"))
    }

    @Test("the end of a wait when not waiting does nothing")
    func waitedWhenNotWaiting() {
        var machine = waiting()
        _ = machine.close()
        #expect(machine.waited().step == Step.none)
        #expect(machine.state.phase == .closed)
    }

    @Test("losing the current generation disconnects it and connects again from attempt 1")
    func lostCurrent() {
        var machine = connected()
        #expect(machine.lost(generation: 1, error: "reset").step == .disconnect("c1"))
        #expect(machine.state.phase == .connecting(1, "reset"))
        #expect(machine.current == nil)
    }

    @Test("losing an older generation does nothing")
    func lostOld() {
        var machine = reconnecting()
        _ = machine.connected("c2")
        #expect(machine.lost(generation: 1, error: "late report").step == Step.none)
        #expect(machine.state.phase == .connected("c2", generation: 2))
    }

    @Test("a second loss report for the same generation does nothing")
    func lostTwice() {
        var machine = reconnecting()
        #expect(machine.lost(generation: 1, error: "reset").step == Step.none)
        #expect(machine.state.phase == .connecting(1, "reset"))
    }

    @Test("close when connected disconnects the connection")
    func closeConnected() {
        var machine = connected()
        #expect(machine.close().step == .disconnect("c1"))
        #expect(machine.state.phase == .closed)
    }

    @Test("close when not connected does nothing but close")
    func closeWaiting() {
        var machine = waiting()
        #expect(machine.close().step == Step.none)
        #expect(machine.state.phase == .closed)
    }

    @Test("a connection made after close is disconnected, and the machine stays closed")
    func connectedAfterClose() {
        var machine = reconnecting()
        _ = machine.close()
        #expect(machine.connected("c2").step == .disconnect("c2"))
        #expect(machine.state.phase == .closed)
    }

    @Test("health is connecting before and during the first connect")
    func healthConnecting() {
        var machine = Machine()
        #expect(machine.health == .connecting)
        _ = machine.start()
        #expect(machine.health == .connecting)
    }

    @Test("health is connected when connected")
    func healthConnected() {
        #expect(connected().health == .connected)
    }

    @Test("health is reconnecting with the loss as last error during reconnect attempt 1")
    func healthReconnecting() {
        #expect(reconnecting().health == .reconnecting(attempt: 1, lastError: "reset"))
    }

    @Test("health while waiting names the next attempt and the last error")
    func healthWaiting() {
        #expect(waiting().health == .reconnecting(attempt: 2, lastError: "refused"))
    }

    @Test("health is failed with the terminal error after giving up")
    func healthFailed() {
        var machine = reconnecting()
        _ = machine.connectFailed("bad password", terminal: true)
        #expect(machine.health == .failed("bad password"))
    }

    @Test("health is closed after close")
    func healthClosed() {
        var machine = connected()
        _ = machine.close()
        #expect(machine.health == .closed)
    }
}

extension SupervisorState.Action where Connection == String {
    var step: SupervisorStateTests.Step {
        switch self {
        case .connect(let attempt): .connect(attempt)
        case .wait(let attempt): .wait(attempt)
        case .announce(let connection, let generation, let isReconnect): .announce(connection, generation: generation, isReconnect: isReconnect)
        case .disconnect(let connection): .disconnect(connection)
        case .giveUp(let reason): .giveUp(reason)
        case .none: .none
        }
    }
}

extension SupervisorState.State where Connection == String {
    var phase: SupervisorStateTests.Phase {
        switch self {
        case .idle: .idle
        case .connecting(let attempt, let error): .connecting(attempt, error)
        case .connected(let connection, let generation): .connected(connection, generation: generation)
        case .waiting(let attempt, let error): .waiting(attempt, error)
        case .failed(let reason): .failed(reason)
        case .closed: .closed
        }
    }
}
