/// Injects a scenario's faults in turn as the publishing goes on, and records when each began
/// and when the broken part was back.
struct FaultDriver: Sendable {
    let plan: FaultPlan
    let broker: BrokerServer
    let sidecars: [ChaosSidecar]
    let app: ChaosApp
    let publishers: Publishers
    let clock: RunClock
    let events: Int
    let log: @Sendable (String) -> Void

    /// Runs every step of the plan; returns what happened.
    func run() async throws -> [FaultRecord] {
        var records: [FaultRecord] = []
        for step in plan.steps {
            let threshold = Int((Double(events) * step.atShare).rounded(.up))
            while publishers.finishedCount < threshold { try await Task.sleep(for: .milliseconds(20)) }
            let published = publishers.finishedCount
            let injectedAt = clock.now()
            log("  \(Format.seconds(injectedAt))  \(step.fault.name) (\(published) of \(events) events published)")
            try await inject(step.fault)
            let backAt = clock.now()
            log("  \(Format.seconds(backAt))  back after \(step.fault.name)")
            records.append(FaultRecord(fault: step.fault, injectedAt: injectedAt, backAt: backAt, publishedBefore: published))
        }
        return records
    }

    private func inject(_ fault: Fault) async throws {
        switch fault {
        case .killSidecar(let index):
            await sidecars[index].kill9()
            try await Task.sleep(for: broker.broker.takeoverWindow)
            try await sidecars[index].start()
        case .terminateSidecar(let index):
            await sidecars[index].terminate()
            try await sidecars[index].start()
        case .restartBroker:
            try await broker.restart()
        case .pauseApp(let duration):
            app.pause()
            try await Task.sleep(for: duration)
            app.resume()
        }
    }
}
