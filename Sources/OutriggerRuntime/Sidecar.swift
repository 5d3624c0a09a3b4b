import CloudEvents
import Foundation
import Hummingbird
import Logging
import OutriggerComponents
import OutriggerCore
import OutriggerDelivery
import OutriggerGRPCAPI
import OutriggerHTTPAPI
import ServiceLifecycle
import Synchronization

/// The sidecar: loads resources, builds components, and runs the API, the app and the
/// deliveries as one `ServiceGroup`.
///
/// Shutdown order is the reverse of registration: deliveries drain first (the APIs and the app
/// still up, so a handler may still publish), streaming subscriptions next, then the app is
/// stopped, then the gRPC and HTTP APIs, then the gRPC connection to the app, then the
/// components close.
///
/// ```swift
/// var configuration = SidecarConfiguration(appID: "orders")
/// configuration.appPort = 3000
/// configuration.resourcesPaths = ["./components"]
/// let status = try await Sidecar(configuration: configuration, logger: logger).run()
/// ```
public struct Sidecar: Sendable {
    public let configuration: SidecarConfiguration
    public let logger: Logger

    public init(configuration: SidecarConfiguration, logger: Logger) {
        self.configuration = configuration
        self.logger = logger
    }

    /// Runs until shutdown; returns the exit status (the app's, when the app ended the run).
    public func run() async throws -> Int32 {
        let start = ContinuousClock.now
        let daprConfiguration = try loadDaprConfiguration()
        let resources = try ResourceLoader.load(paths: configuration.resourcesPaths)
        for warning in resources.warnings { logger.warning("\(warning)") }
        for skipped in resources.skipped { logger.debug("resource not used by Outrigger: \(skipped)") }
        let resiliencies = resources.resiliencies.filter { $0.isVisible(to: configuration.appID) }
        try Self.checkRoutingRules(resources.subscriptions)
        let allowed = resources.components.filter { spec in
            guard daprConfiguration.denies(type: spec.type, version: spec.version) else { return true }
            logger.warning("component '\(spec.name)' (\(spec.type)/\(spec.version)) is not loaded: its type is in spec.components.deny of \(daprConfiguration.file)")
            return false
        }
        let components = try await ComponentFactory.build(allowed, appID: configuration.appID, logger: logger)
        let (tracer, tracingService) = try TracingBackend.make(
            daprConfiguration, appID: configuration.appID, environment: ProcessInfo.processInfo.environment, logger: logger)

        let status = SidecarStatus()
        var httpChannel: HTTPAppChannel?
        var grpcChannel: GRPCAppChannel?
        if let port = configuration.appPort {
            switch configuration.appProtocol {
            case .http: httpChannel = HTTPAppChannel(host: configuration.appChannelAddress, port: port, appAPIToken: configuration.appAPIToken, logger: logger)
            case .grpc:
                grpcChannel = try GRPCAppChannel(
                    host: configuration.appChannelAddress, port: port, startupTimeout: configuration.appStartupTimeout,
                    appAPIToken: configuration.appAPIToken, logger: logger)
            }
        }
        let channel: (any AppChannel)? = httpChannel ?? grpcChannel
        let pipeline = DeliveryPipeline(
            appID: configuration.appID,
            channel: channel ?? NoAppChannel(),
            appMaxConcurrency: configuration.appMaxConcurrency, tracer: tracer, logger: logger)
        let shutdown = ShutdownTrigger()
        let policies = ResiliencyTable(resiliencies)
        var publisher = Publisher(appID: configuration.appID, components: components, policies: policies)
        publisher.tracer = tracer
        var bindings = BindingInvoker(components: components, policies: policies)
        bindings.tracer = tracer
        let streams = StreamingSubscriptions(
            settings: .init(appID: configuration.appID, drainTimeout: configuration.drainTimeout, resiliencies: resiliencies),
            publisher: publisher, logger: logger)
        let subscriptions = SubscriptionService(
            settings: .init(
                appID: configuration.appID, appPort: configuration.appPort, appHost: configuration.appChannelAddress,
                appStartupTimeout: configuration.appStartupTimeout, drainTimeout: configuration.drainTimeout,
                declared: resources.subscriptions, policies: policies, stopOtherPulls: { streams.stopPulling() }),
            components: components, channel: channel, pipeline: pipeline, status: status, logger: logger)
        let metadata = MetadataDocument(configuration: configuration, components: components, subscriptions: subscriptions, streams: streams)
        let api = HTTPAPIServer(
            dependencies: .init(
                publisher: publisher,
                bindings: bindings,
                secretScopes: daprConfiguration.secretScopes,
                status: status,
                metadata: { metadata.json() },
                requestShutdown: { shutdown.fire() },
                outboundProblems: { await ComponentHealthCheck.problems(in: components).map(\.description) }),
            maxBodySize: configuration.maxBodySize, apiToken: configuration.apiToken)
        let servers = configuration.listenAddresses.map { address in
            Application(
                router: api.router(), server: api.server(readTimeout: configuration.httpReadTimeout),
                // The kernel caps the backlog at net.core.somaxconn (4096 on Debian 12); Hummingbird's
                // 256 overflowed under a burst of thousands of connects.
                configuration: .init(address: .hostname(address, port: configuration.httpPort), serverName: "outrigger", backlog: 4096),
                logger: logger.withLevel(max(logger.logLevel, .notice)))
        }
        let daprService = DaprService(
            dependencies: .init(
                publisher: publisher, bindings: bindings, secretScopes: daprConfiguration.secretScopes, streams: streams,
                metadata: { metadata.json() }, requestShutdown: { shutdown.fire() }),
            logger: logger)
        let grpcAPIs = configuration.listenAddresses.map { address in
            GRPCAPIServer(
                host: address, port: configuration.grpcPort, maxMessageSize: configuration.maxBodySize,
                prefaceTimeout: configuration.httpReadTimeout, apiToken: configuration.apiToken, service: daprService, logger: logger)
        }
        status.markOutboundReady()

        var services: [ServiceGroupConfiguration.ServiceConfiguration] = [
            .init(service: ComponentsService(components: components, logger: logger), serviceName: "components"),
            .init(service: IdlePageRelease(logger: logger), successTerminationBehavior: .ignore, failureTerminationBehavior: .ignore, serviceName: "idle-page-release"),
        ]
        if let tracingService {
            // Stops after everything that makes spans, so the last ones are exported.
            services.append(.init(service: tracingService, successTerminationBehavior: .ignore, failureTerminationBehavior: .ignore, serviceName: "tracing"))
        }
        if let grpcChannel {
            services.append(.init(service: grpcChannel, successTerminationBehavior: .gracefullyShutdownGroup, failureTerminationBehavior: .gracefullyShutdownGroup, serviceName: "grpc-app-channel"))
        }
        for server in servers {
            services.append(.init(service: server, successTerminationBehavior: .gracefullyShutdownGroup, failureTerminationBehavior: .gracefullyShutdownGroup, serviceName: "http-api"))
        }
        for grpcAPI in grpcAPIs {
            services.append(.init(service: grpcAPI, successTerminationBehavior: .gracefullyShutdownGroup, failureTerminationBehavior: .gracefullyShutdownGroup, serviceName: "grpc-api"))
        }
        if configuration.metricsPort > 0, daprConfiguration.metricsEnabled {
            let metrics = MetricsServer(appID: configuration.appID, subscriptions: { subscriptions.subscriptions })
            let metricsServer = Application(
                router: metrics.router(),
                server: HTTPAPIServer.http1(readTimeout: configuration.httpReadTimeout),
                configuration: .init(address: .hostname(configuration.listenAddresses.first ?? "127.0.0.1", port: configuration.metricsPort), serverName: "outrigger-metrics"),
                logger: logger.withLevel(max(logger.logLevel, .notice)))
            // Metrics are an aid, not the job: a taken port is logged and the sidecar runs on.
            let optional = OptionalService(name: "metrics endpoint on port \(configuration.metricsPort) (--metrics-port)", service: metricsServer, logger: logger)
            services.append(.init(service: optional, successTerminationBehavior: .ignore, failureTerminationBehavior: .ignore, serviceName: "metrics"))
        }
        var app: AppProcess?
        if !configuration.command.isEmpty {
            // Subscriptions and streams each drain within --drain-timeout before the app's turn.
            let process = AppProcess(
                command: configuration.command, environment: appEnvironment,
                orderlyExitWait: configuration.drainTimeout * 2 + .seconds(10), logger: logger.withLabel("app"))
            services.append(.init(service: process, successTerminationBehavior: .gracefullyShutdownGroup, failureTerminationBehavior: .gracefullyShutdownGroup, serviceName: "app"))
            app = process
        }
        services.append(.init(service: streams, successTerminationBehavior: .ignore, failureTerminationBehavior: .gracefullyShutdownGroup, serviceName: "streaming-subscriptions"))
        services.append(.init(service: subscriptions, successTerminationBehavior: .ignore, failureTerminationBehavior: .gracefullyShutdownGroup, serviceName: "subscriptions"))
        if configuration.watch || daprConfiguration.isEnabled(feature: "HotReload") {
            // Registered last, so it stops first: no reload runs while the subscriptions drain.
            let watcher = ResourceWatcher(
                paths: configuration.resourcesPaths, appID: configuration.appID, components: components, subscriptions: subscriptions,
                policies: policies, interval: configuration.watchInterval, logger: logger, initial: resources)
            services.append(.init(service: watcher, successTerminationBehavior: .ignore, failureTerminationBehavior: .ignore, serviceName: "hot-reload"))
        }
        let group = ServiceGroup(configuration: .init(
            services: services,
            gracefulShutdownSignals: [.sigterm, .sigint],
            logger: logger.withLevel(max(logger.logLevel, .notice))))
        shutdown.arm(group)
        logger.info("outrigger \(RuntimeVersion.current) started", metadata: [
            "app-id": "\(configuration.appID)", "http-port": "\(configuration.httpPort)", "grpc-port": "\(configuration.grpcPort)",
            "components": "\(components.entries.count)", "startup": "\(GoDuration.format(ContinuousClock.now - start))",
        ])
        defer { logger.info("outrigger stopped") }
        let record = registerRunning()
        defer { if let record { RunningSidecars().remove(record) } }
        do {
            try await group.run()
        } catch {
            try? await httpChannel?.shutdown()
            throw error
        }
        try await httpChannel?.shutdown()
        return app?.status ?? 0
    }

    /// Parses every declared routing rule before anything starts, so a bad `match` stops
    /// start-up like any other malformed document, with or without an app.
    static func checkRoutingRules(_ subscriptions: [SubscriptionSpec]) throws(ConfigurationError) {
        for spec in subscriptions {
            guard case .resource(let origin) = spec.source else { continue }
            for (index, rule) in spec.rules.enumerated() {
                do {
                    _ = try RouteMatchExpression(rule.match)
                } catch {
                    throw ConfigurationError(
                        file: origin.file, document: origin.document, resource: "Subscription '\(spec.name)'",
                        field: "spec.routes.rules[\(index)].match", message: error.description)
                }
            }
        }
    }

    /// The `--config` Configuration (an empty one without it); its warnings are logged.
    func loadDaprConfiguration() throws(ConfigurationError) -> DaprConfiguration {
        guard let file = configuration.configFile else { return .empty() }
        let loaded = try DaprConfiguration.load(path: file)
        for warning in loaded.warnings { logger.warning("\(warning)") }
        return loaded
    }

    /// Records this sidecar for `outrigger list`, `publish` and `stop`; a runtime directory that
    /// cannot be written costs those commands, not the sidecar, so it is only logged.
    func registerRunning() -> String? {
        let pid = getpid()
        let record = RunningSidecars.Record(
            configuration: configuration, pid: pid, started: Date().timeIntervalSince1970,
            processStart: RunningSidecars.processStart(of: pid))
        let running = RunningSidecars()
        do {
            return try running.register(record)
        } catch {
            logger.warning("cannot record this sidecar in \(running.directory); `outrigger list` and `stop` will not find it: \(error)")
            return nil
        }
    }

    /// What the launched app finds in its environment, as `dapr run` sets it.
    var appEnvironment: [String: String] {
        var environment = [
            "APP_ID": configuration.appID,
            "DAPR_HTTP_PORT": String(configuration.httpPort),
            "DAPR_GRPC_PORT": String(configuration.grpcPort),
            "APP_PROTOCOL": configuration.appProtocol.rawValue,
            "DAPR_METRICS_PORT": String(configuration.metricsPort),
        ]
        if let port = configuration.appPort { environment["APP_PORT"] = String(port) }
        return environment
    }
}

/// Runs a service whose failure must not stop the sidecar; the failure is logged.
struct OptionalService<Wrapped: Service>: Service {
    let name: String
    let service: Wrapped
    let logger: Logger

    func run() async {
        do {
            try await service.run()
        } catch {
            logger.warning("\(name) is not available: \(error)")
        }
    }
}

/// Lets `POST /v1.0/shutdown` reach the service group created after the API.
final class ShutdownTrigger: Sendable {
    private let group = Mutex<ServiceGroup?>(nil)

    func arm(_ serviceGroup: ServiceGroup) { group.withLock { $0 = serviceGroup } }

    func fire() {
        guard let serviceGroup = group.withLock({ $0 }) else { return }
        Task { await serviceGroup.triggerGracefulShutdown() }
    }
}

extension Logger {
    func withLevel(_ level: Logger.Level) -> Logger {
        var copy = self
        copy.logLevel = level
        return copy
    }

    func withLabel(_ scope: String) -> Logger {
        var copy = self
        copy[metadataKey: "scope"] = "\(scope)"
        return copy
    }
}
