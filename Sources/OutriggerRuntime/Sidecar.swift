import CloudEvents
import Hummingbird
import Logging
import OutriggerComponents
import OutriggerCore
import OutriggerDelivery
import OutriggerHTTPAPI
import ServiceLifecycle
import Synchronization

/// The sidecar: loads resources, builds components, and runs the API, the app and the
/// deliveries as one `ServiceGroup`.
///
/// Shutdown order is the reverse of registration: deliveries drain first (the API and the app
/// still up, so a handler may still publish), then the app is stopped, then the API, then the
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
        let resources = try ResourceLoader.load(paths: configuration.resourcesPaths)
        for warning in resources.warnings { logger.warning("\(warning)") }
        for skipped in resources.skipped { logger.debug("resource not used by Outrigger: \(skipped)") }
        let resiliencies = resources.resiliencies.filter { $0.isVisible(to: configuration.appID) }
        try Self.checkRoutingRules(resources.subscriptions)
        let components = try await ComponentFactory.build(resources.components, appID: configuration.appID, logger: logger)

        let status = SidecarStatus()
        let channel = configuration.appPort.map { HTTPAppChannel(port: $0, logger: logger) }
        let pipeline = DeliveryPipeline(
            appID: configuration.appID,
            channel: channel ?? NoAppChannel(),
            appMaxConcurrency: configuration.appMaxConcurrency, logger: logger)
        let subscriptions = SubscriptionService(
            settings: .init(
                appID: configuration.appID, appPort: configuration.appPort,
                appStartupTimeout: configuration.appStartupTimeout, drainTimeout: configuration.drainTimeout,
                declared: resources.subscriptions, resiliencies: resiliencies),
            components: components, channel: channel, pipeline: pipeline, status: status, logger: logger)
        let shutdown = ShutdownTrigger()
        let metadata = MetadataDocument(configuration: configuration, components: components, subscriptions: subscriptions)
        let api = HTTPAPIServer(
            dependencies: .init(
                publisher: Publisher(appID: configuration.appID, components: components, resiliencies: resiliencies),
                status: status,
                metadata: { metadata.json() },
                requestShutdown: { shutdown.fire() }),
            maxBodySize: configuration.maxBodySize)
        let server = Application(
            router: api.router(),
            configuration: .init(address: .hostname(configuration.listenAddress, port: configuration.httpPort), serverName: "outrigger"),
            logger: logger.withLevel(max(logger.logLevel, .notice)))
        status.markOutboundReady()

        var services: [ServiceGroupConfiguration.ServiceConfiguration] = [
            .init(service: ComponentsService(components: components, logger: logger), serviceName: "components"),
            .init(service: server, successTerminationBehavior: .gracefullyShutdownGroup, failureTerminationBehavior: .gracefullyShutdownGroup, serviceName: "http-api"),
        ]
        var app: AppProcess?
        if !configuration.command.isEmpty {
            let process = AppProcess(command: configuration.command, environment: appEnvironment, logger: logger.withLabel("app"))
            services.append(.init(service: process, successTerminationBehavior: .gracefullyShutdownGroup, failureTerminationBehavior: .gracefullyShutdownGroup, serviceName: "app"))
            app = process
        }
        services.append(.init(service: subscriptions, successTerminationBehavior: .ignore, failureTerminationBehavior: .gracefullyShutdownGroup, serviceName: "subscriptions"))
        let group = ServiceGroup(configuration: .init(
            services: services,
            gracefulShutdownSignals: [.sigterm, .sigint],
            logger: logger.withLevel(max(logger.logLevel, .notice))))
        shutdown.arm(group)
        logger.info("outrigger \(RuntimeVersion.current) started", metadata: [
            "app-id": "\(configuration.appID)", "http-port": "\(configuration.httpPort)",
            "components": "\(components.entries.count)", "startup": "\(GoDuration.format(ContinuousClock.now - start))",
        ])
        defer { logger.info("outrigger stopped") }
        do {
            try await group.run()
        } catch {
            try? await channel?.shutdown()
            throw error
        }
        try await channel?.shutdown()
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
