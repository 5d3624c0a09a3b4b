import Foundation
import Logging
import NIOCore
import NIOPosix
import OutriggerCore
import OutriggerDelivery
import OutriggerHTTPAPI
import ServiceLifecycle
import Synchronization

/// Connects the app to its subscriptions: waits for the app port, reads `GET /dapr/subscribe`,
/// subscribes every declared and programmatic subscription through the pipeline, then reports
/// ready. At shutdown it stops the subscriptions and drains the pipeline. Registered last, so it
/// stops first, while the API and the app are still up.
final class SubscriptionService: Service, Sendable {
    struct Settings: Sendable {
        var appID: String
        var appPort: Int?
        var appHost: String = "127.0.0.1"
        var appStartupTimeout: Duration
        var drainTimeout: Duration
        var declared: [SubscriptionSpec]
        var policies: ResiliencyTable
        /// Stops every other subscription's reading at the same moment as these (the gRPC
        /// streaming subscriptions), so nothing pulls while the deliveries drain.
        var stopOtherPulls: @Sendable () -> Void = {}
    }

    /// A subscription being delivered.
    private struct Running: Sendable {
        var spec: SubscriptionSpec
        var active: ActiveSubscription
        var handle: Subscription
    }

    /// An input binding being read.
    private struct Reading: Sendable {
        var active: ActiveBinding
        var handle: Subscription
    }

    private struct State: Sendable {
        var declared: [SubscriptionSpec]
        /// What the app answered to `GET /dapr/subscribe`; `nil` until the app was asked.
        var programmatic: [SubscriptionSpec]?
        var running: [Running] = []
        var reading: [Reading] = []
        /// After shutdown began nothing new starts.
        var stopping = false
    }

    let settings: Settings
    let components: LoadedComponents
    let channel: (any AppChannel)?
    let pipeline: DeliveryPipeline
    let status: SidecarStatus
    let logger: Logger
    private let state: Mutex<State>

    init(settings: Settings, components: LoadedComponents, channel: (any AppChannel)?, pipeline: DeliveryPipeline, status: SidecarStatus, logger: Logger) {
        self.settings = settings
        self.components = components
        self.channel = channel
        self.pipeline = pipeline
        self.status = status
        self.logger = logger
        state = Mutex(State(declared: settings.declared))
    }

    /// The subscriptions being delivered, for `/v1.0/metadata`.
    var subscriptions: [ActiveSubscription] { state.withLock { $0.running.map(\.active) } }

    /// The input bindings being read, for `/v1.0/metadata`.
    var inputBindings: [ActiveBinding] { state.withLock { $0.reading.map(\.active) } }

    func run() async throws {
        do {
            // Waiting for the app must end when the app exits or a signal arrives meanwhile.
            try await cancelWhenGracefulShutdown { try await self.start() }
        } catch is CancellationError {
            state.withLock { $0.stopping = true }
            await stopEverything(drain: false)
            return
        }
        try? await gracefulShutdown()
        status.markStopping()
        logger.info("shutting down: stopping subscriptions and draining deliveries")
        settings.stopOtherPulls()
        await stopEverything(drain: true)
    }

    private func stopEverything(drain: Bool) async {
        let handles = state.withLock { state -> [Subscription] in
            state.stopping = true
            defer { state.running = []; state.reading = [] }
            return state.running.map(\.handle) + state.reading.map(\.handle)
        }
        await Subscription.stopAll(handles) { if drain { await self.pipeline.drain(timeout: self.settings.drainTimeout) } }
    }

    private func start() async throws {
        guard let port = settings.appPort, let channel else {
            if !settings.declared.isEmpty {
                logger.warning("no --app-port: declared subscriptions are not delivered (the sidecar has no app to deliver to)")
            }
            status.markReady()
            return
        }
        try await AppPortProbe.wait(host: settings.appHost, port: port, timeout: settings.appStartupTimeout, logger: logger)
        var programmatic: [SubscriptionSpec] = []
        do {
            programmatic = try await channel.subscriptions()
        } catch {
            logger.error("reading the app's subscriptions failed; only declared subscriptions are used", metadata: ["error": "\(error)"])
        }
        state.withLock { $0.programmatic = programmatic }
        try await reconcile()
        status.markReady()
        let counts = state.withLock { ($0.running.count, $0.reading.count) }
        logger.info("sidecar ready", metadata: ["subscriptions": "\(counts.0)", "input-bindings": "\(counts.1)"])
    }

    /// The subscriptions that should run: the declared ones visible to this app, then the app's
    /// own (a Subscription document for the same topic wins).
    private func wanted() -> [SubscriptionSpec] {
        let (declared, programmatic) = state.withLock { ($0.declared, $0.programmatic ?? []) }
        var specs = declared.filter { $0.isVisible(to: settings.appID) }
        for spec in programmatic {
            if specs.contains(where: { $0.pubsubName == spec.pubsubName && $0.topic == spec.topic }) {
                logger.warning("the app subscribes to '\(spec.topic)' on '\(spec.pubsubName)' which a Subscription document already declares; the document wins")
                continue
            }
            specs.append(spec)
        }
        return specs
    }

    /// Brings the running subscriptions and input bindings in line with the wanted ones and the
    /// loaded components: starts what is missing. (What must go is stopped first by ``stop(components:)``
    /// and ``replaceDeclared(_:restartAll:)``.)
    func reconcile() async throws {
        guard let channel, state.withLock({ $0.programmatic != nil && !$0.stopping }) else { return }
        for spec in wanted() where !state.withLock({ $0.running.contains { $0.spec == spec } }) {
            guard let pubsub = components.pubsub(named: spec.pubsubName) else {
                logger.error("subscription skipped: no pubsub component named '\(spec.pubsubName)'", metadata: ["topic": "\(spec.topic)", "from": "\(spec.source)"])
                continue
            }
            let policy = DeliveryPolicy.resolve(component: spec.pubsubName, inbound: true, resiliencies: settings.policies.specs)
            let subscription = try ActiveSubscription(spec: spec, policy: policy, clock: pipeline.clock)
            let request = spec.subscribeRequest(defaultConsumerGroup: settings.appID)
            let handle = try await pubsub.subscribe(request, handler: pipeline.handler(for: subscription, pubsub: pubsub))
            guard keep(Running(spec: spec, active: subscription, handle: handle)) else {
                await handle.cancel()
                return
            }
            logger.info("subscribed", metadata: [
                "pubsub": "\(spec.pubsubName)", "topic": "\(spec.topic)",
                "routes": "\(spec.rules.map(\.path) + (spec.defaultRoute.map { [$0] } ?? []))",
                "from": "\(spec.source)",
            ])
        }
        try await startInputBindings(channel: channel)
    }

    /// Records a started subscription; false when shutdown began meanwhile (then stop it).
    private func keep(_ running: Running) -> Bool {
        state.withLock { state in
            guard !state.stopping else { return false }
            state.running.append(running)
            return true
        }
    }

    /// Stops, and lets finish, every subscription on and every read of the named components
    /// (before a hot reload replaces or removes them).
    func stop(components names: Set<String>) async {
        await stop { running in names.contains(running.spec.pubsubName) } reading: { names.contains($0.active.name) }
    }

    /// Puts new Subscription documents in force: subscriptions whose spec changed or went are
    /// stopped (all of them when `restartAll`, e.g. the Resiliency policies changed); then
    /// ``reconcile()`` starts the new ones.
    func replaceDeclared(_ declared: [SubscriptionSpec], restartAll: Bool) async throws {
        state.withLock { $0.declared = declared }
        let wanted = wanted()
        await stop { restartAll || !wanted.contains($0.spec) } reading: { _ in restartAll }
        try await reconcile()
    }

    private func stop(_ subscriptions: (Running) -> Bool, reading bindings: (Reading) -> Bool) async {
        let handles = state.withLock { state -> [Subscription] in
            let stopped = state.running.filter(subscriptions).map(\.handle) + state.reading.filter(bindings).map(\.handle)
            state.running.removeAll(where: subscriptions)
            state.reading.removeAll(where: bindings)
            return stopped
        }
        guard !handles.isEmpty else { return }
        logger.info("stopping \(handles.count) subscription(s) and input binding read(s) for a reload; deliveries in flight finish first")
        await Subscription.stopAll(handles)
    }

    /// Reads every input binding the app takes (`OPTIONS /{route}` not 404, or gRPC
    /// `ListInputBindings` naming it) and that is not read yet; `direction: output` bindings are
    /// never read.
    private func startInputBindings(channel: any AppChannel) async throws {
        for entry in components.entries {
            guard let binding = entry.component as? any InputBinding, entry.spec.readsInput else { continue }
            let name = entry.spec.name
            guard !state.withLock({ $0.reading.contains { $0.active.name == name } }) else { continue }
            let policy = DeliveryPolicy.resolve(component: name, inbound: true, resiliencies: settings.policies.specs)
            let active = try ActiveBinding(name: name, route: entry.spec.inputRoute, policy: policy, clock: pipeline.clock)
            do {
                guard try await channel.wantsBinding(name: name, route: active.path) else {
                    logger.info("the app does not take this input binding's events; it is not read", metadata: [
                        "binding": "\(name)", "route": "\(active.path)", "why": "OPTIONS \(active.path) answered 404 (gRPC: not in ListInputBindings)",
                    ])
                    continue
                }
            } catch {
                logger.error("asking the app about an input binding failed; it is not read", metadata: ["binding": "\(name)", "error": "\(error)"])
                continue
            }
            let handle = try await binding.read(handler: pipeline.bindingHandler(for: active))
            let kept = state.withLock { state in
                guard !state.stopping else { return false }
                state.reading.append(Reading(active: active, handle: handle))
                return true
            }
            guard kept else {
                await handle.cancel()
                return
            }
            logger.info("input binding read", metadata: ["binding": "\(name)", "type": "\(entry.spec.type)", "route": "\(active.path)"])
        }
    }
}

/// Waits until something accepts TCP connections on the app port.
enum AppPortProbe {
    struct Timeout: Error, CustomStringConvertible {
        var port: Int
        var limit: Duration
        var description: String { "the app did not open port \(port) within \(GoDuration.format(limit)) (--app-startup-timeout)" }
    }

    static func wait(host: String = "127.0.0.1", port: Int, timeout: Duration, logger: Logger) async throws {
        let clock = ContinuousClock()
        let deadline = clock.now.advanced(by: timeout)
        var nextNotice = clock.now.advanced(by: .seconds(2))
        logger.info("waiting for the app on port \(port)")
        while !(await accepts(host: host, port: port, within: min(.seconds(1), max(deadline - clock.now, .milliseconds(10))))) {
            guard clock.now < deadline else { throw Timeout(port: port, limit: timeout) }
            if clock.now >= nextNotice {
                logger.info("still waiting for the app on port \(port)")
                nextNotice = clock.now.advanced(by: .seconds(5))
            }
            try await Task.sleep(for: .milliseconds(50))
        }
        logger.info("app is listening on port \(port)")
    }

    /// Whether a TCP connection to `host:port` opens within `limit`. Connected on the event
    /// loops: an address that drops connection attempts (a firewall, a listener whose backlog
    /// is full) would hold a blocking `connect` for the kernel's two minutes of SYN retries,
    /// on one of the cooperative pool's few threads, past `--app-startup-timeout`.
    static func accepts(host: String, port: Int, within limit: Duration) async -> Bool {
        let bootstrap = ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton).connectTimeout(TimeAmount(limit))
        guard let channel = try? await bootstrap.connect(host: host, port: port).get() else { return false }
        try? await channel.close()
        return true
    }
}
