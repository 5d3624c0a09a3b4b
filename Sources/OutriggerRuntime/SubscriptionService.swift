import Foundation
import Logging
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
        var appStartupTimeout: Duration
        var drainTimeout: Duration
        var declared: [SubscriptionSpec]
        var resiliencies: [ResiliencySpec]
        /// Stops every other subscription's reading at the same moment as these (the gRPC
        /// streaming subscriptions), so nothing pulls while the deliveries drain.
        var stopOtherPulls: @Sendable () -> Void = {}
    }

    let settings: Settings
    let components: LoadedComponents
    let channel: (any AppChannel)?
    let pipeline: DeliveryPipeline
    let status: SidecarStatus
    let logger: Logger
    private let active = Mutex<[ActiveSubscription]>([])
    private let bindings = Mutex<[ActiveBinding]>([])

    init(settings: Settings, components: LoadedComponents, channel: (any AppChannel)?, pipeline: DeliveryPipeline, status: SidecarStatus, logger: Logger) {
        self.settings = settings
        self.components = components
        self.channel = channel
        self.pipeline = pipeline
        self.status = status
        self.logger = logger
    }

    /// The subscriptions being delivered, for `/v1.0/metadata`.
    var subscriptions: [ActiveSubscription] { active.withLock { $0 } }

    /// The input bindings being read, for `/v1.0/metadata`.
    var inputBindings: [ActiveBinding] { bindings.withLock { $0 } }

    func run() async throws {
        var live: [Subscription] = []
        do {
            // Waiting for the app must end when the app exits or a signal arrives meanwhile.
            live = try await cancelWhenGracefulShutdown { try await self.start() }
        } catch is CancellationError {
            return
        }
        try? await gracefulShutdown()
        status.markStopping()
        logger.info("shutting down: stopping subscriptions and draining deliveries")
        settings.stopOtherPulls()
        await Subscription.stopAll(live) { await self.pipeline.drain(timeout: self.settings.drainTimeout) }
    }

    private func start() async throws -> [Subscription] {
        guard let port = settings.appPort, let channel else {
            if !settings.declared.isEmpty {
                logger.warning("no --app-port: declared subscriptions are not delivered (the sidecar has no app to deliver to)")
            }
            status.markReady()
            return []
        }
        try await AppPortProbe.wait(port: port, timeout: settings.appStartupTimeout, logger: logger)
        var specs = settings.declared.filter { $0.isVisible(to: settings.appID) }
        do {
            let programmatic = try await channel.subscriptions()
            for spec in programmatic {
                if specs.contains(where: { $0.pubsubName == spec.pubsubName && $0.topic == spec.topic }) {
                    logger.warning("the app subscribes to '\(spec.topic)' on '\(spec.pubsubName)' which a Subscription document already declares; the document wins")
                    continue
                }
                specs.append(spec)
            }
        } catch {
            logger.error("reading the app's subscriptions failed; only declared subscriptions are used", metadata: ["error": "\(error)"])
        }
        var live: [Subscription] = []
        for spec in specs {
            guard let pubsub = components.pubsub(named: spec.pubsubName) else {
                logger.error("subscription skipped: no pubsub component named '\(spec.pubsubName)'", metadata: ["topic": "\(spec.topic)", "from": "\(spec.source)"])
                continue
            }
            let policy = DeliveryPolicy.resolve(component: spec.pubsubName, inbound: true, resiliencies: settings.resiliencies)
            let subscription = try ActiveSubscription(spec: spec, policy: policy, clock: pipeline.clock)
            let request = spec.subscribeRequest(defaultConsumerGroup: settings.appID)
            live.append(try await pubsub.subscribe(request, handler: pipeline.handler(for: subscription, pubsub: pubsub)))
            active.withLock { $0.append(subscription) }
            logger.info("subscribed", metadata: [
                "pubsub": "\(spec.pubsubName)", "topic": "\(spec.topic)",
                "routes": "\(spec.rules.map(\.path) + (spec.defaultRoute.map { [$0] } ?? []))",
                "from": "\(spec.source)",
            ])
        }
        let reads = try await startInputBindings(channel: channel)
        status.markReady()
        logger.info("sidecar ready", metadata: ["subscriptions": "\(live.count)", "input-bindings": "\(reads.count)"])
        return live + reads
    }

    /// Reads every input binding the app takes (`OPTIONS /{route}` not 404, or gRPC
    /// `ListInputBindings` naming it); `direction: output` bindings are never read.
    private func startInputBindings(channel: any AppChannel) async throws -> [Subscription] {
        var reads: [Subscription] = []
        for entry in components.entries {
            guard let binding = entry.component as? any InputBinding, entry.spec.readsInput else { continue }
            let name = entry.spec.name
            let policy = DeliveryPolicy.resolve(component: name, inbound: true, resiliencies: settings.resiliencies)
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
            reads.append(try await binding.read(handler: pipeline.bindingHandler(for: active)))
            bindings.withLock { $0.append(active) }
            logger.info("input binding read", metadata: ["binding": "\(name)", "type": "\(entry.spec.type)", "route": "\(active.path)"])
        }
        return reads
    }
}

/// Waits until something accepts TCP connections on the app port.
enum AppPortProbe {
    struct Timeout: Error, CustomStringConvertible {
        var port: Int
        var limit: Duration
        var description: String { "the app did not open port \(port) within \(GoDuration.format(limit)) (--app-startup-timeout)" }
    }

    static func wait(port: Int, timeout: Duration, logger: Logger) async throws {
        let clock = ContinuousClock()
        let deadline = clock.now.advanced(by: timeout)
        var nextNotice = clock.now.advanced(by: .seconds(2))
        logger.info("waiting for the app on port \(port)")
        while !TCPPortCheck.accepts(port: port) {
            guard clock.now < deadline else { throw Timeout(port: port, limit: timeout) }
            if clock.now >= nextNotice {
                logger.info("still waiting for the app on port \(port)")
                nextNotice = clock.now.advanced(by: .seconds(5))
            }
            try await Task.sleep(for: .milliseconds(50))
        }
        logger.info("app is listening on port \(port)")
    }
}
