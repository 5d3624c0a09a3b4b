import ArgumentParser
import Foundation
import Logging
import OutriggerComponents
import OutriggerCore
import OutriggerRuntime

struct OutriggerCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "outrigger",
        abstract: "A Dapr-compatible sidecar for pub/sub and bindings.",
        discussion: """
            Outrigger speaks Dapr's pub/sub and bindings APIs, reads Dapr's component YAML, and \
            delivers each event at least once to the app that subscribed.

            Example:
              outrigger run --app-id orders --app-port 3000 --resources-path ./components -- python3 app.py
            """,
        version: RuntimeVersion.banner,
        subcommands: [Run.self, Publish.self, InvokeBinding.self, List.self, Stop.self, ListComponents.self, Completion.self],
        defaultSubcommand: Run.self)
}

struct Run: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Run the sidecar, and the app given after '--'.",
        discussion: """
            Without a command after '--' the sidecar runs alone and delivers to an app started \
            separately on --app-port. The launched app gets APP_ID, APP_PORT, DAPR_HTTP_PORT and \
            DAPR_GRPC_PORT in its environment, as with 'dapr run'.

            SIGTERM or SIGINT (or POST /v1.0/shutdown) stops taking new messages, lets deliveries \
            in flight finish for up to --drain-timeout, hands unfinished ones back to the broker, \
            stops the app, and exits.
            """)

    @Option(name: [.customShort("a"), .long], help: "The app's id: CloudEvent source, consumer group, scopes.")
    var appID: String = "outrigger"

    @Option(name: [.customShort("p"), .long], help: "The port the app listens on; without it nothing is delivered.")
    var appPort: Int?

    @Option(name: [.customShort("P"), .long], help: "How to reach the app: http or grpc.")
    var appProtocol: String = "http"

    @Option(name: [.customShort("H"), .customLong("dapr-http-port")], help: "Port of the Dapr HTTP API.")
    var httpPort: Int = 3500

    @Option(name: [.customShort("G"), .customLong("dapr-grpc-port")], help: "Port of the Dapr gRPC API.")
    var grpcPort: Int = 50001

    @Option(name: [.customShort("M"), .customLong("metrics-port")], help: "Port of the Prometheus metrics endpoint (GET /metrics); 0 turns it off.")
    var metricsPort: Int = 9090

    @Option(name: [.customShort("d"), .customLong("resources-path")], help: "A folder (or file) of component, subscription and resiliency YAML; repeatable.")
    var resourcesPaths: [String] = []

    @Option(name: .customLong("components-path"), help: ArgumentHelp("Older name of --resources-path.", visibility: .hidden))
    var componentsPaths: [String] = []

    @Option(name: [.customShort("c"), .long], help: "A Dapr Configuration file: tracing, metrics, features, secret scopes, component deny list (docs/configuration.md).")
    var config: String?

    @Option(name: .long, help: "How long deliveries in flight may take to finish at shutdown, in seconds or Go syntax (5s, 1m).")
    var drainTimeout: String = "5s"

    @Option(name: .long, help: "How long to wait for the app port to open, in seconds or Go syntax.")
    var appStartupTimeout: String = "30s"

    @Option(name: .long, help: "At most this many events at the app at once (default: no sidecar-wide limit).")
    var appMaxConcurrency: Int?

    @Option(name: .long, help: "Largest request body the API accepts, in MB.")
    var maxBodySize: Int = 4

    @Option(name: .long, help: "How long an HTTP client may take to send a request head, or a body after its head, before the connection is closed; also how long an idle keep-alive connection stays open.")
    var httpReadTimeout: String = "60s"

    @Option(name: .long, help: "debug, info, warn or error.")
    var logLevel: String = "info"

    @Flag(name: .long, help: "Log one JSON object per line (daprd's field names) instead of text.")
    var logAsJSON = false

    @Option(name: .customLong("dapr-listen-addresses"), help: "Comma-separated IPv4 addresses the HTTP and gRPC APIs listen on.")
    var listenAddresses: String = "127.0.0.1"

    @Option(name: .customLong("app-channel-address"), help: "The IPv4 address the app listens on.")
    var appChannelAddress: String = "127.0.0.1"

    @Flag(name: .long, help: "Hot reload: apply added, changed and removed Component, Subscription and Resiliency files without a restart (also: the HotReload feature in --config).")
    var watch = false

    @Option(name: [.customShort("f"), .customLong("run-file")], help: "A Multi-App Run template (dapr.yaml, or a folder holding it): every app in it with a sidecar of its own.")
    var runFile: String?

    @Argument(parsing: .postTerminator, help: "The app to launch, after '--'.")
    var command: [String] = []

    func validate() throws {
        guard SidecarConfiguration.AppProtocol(rawValue: appProtocol) != nil else {
            throw ValidationError("--app-protocol must be http or grpc, got '\(appProtocol)'")
        }
        guard Self.level(logLevel) != nil else { throw ValidationError("--log-level must be debug, info, warn or error") }
        for (name, value) in [("--drain-timeout", drainTimeout), ("--app-startup-timeout", appStartupTimeout), ("--http-read-timeout", httpReadTimeout)] {
            guard (try? Self.duration(value)) != nil else { throw ValidationError("\(name): '\(value)' is not a duration like 5s or 500ms") }
        }
        if let timeout = try? Self.duration(httpReadTimeout), timeout <= .zero { throw ValidationError("--http-read-timeout must be more than 0") }
        if let appMaxConcurrency, appMaxConcurrency < 1 { throw ValidationError("--app-max-concurrency must be at least 1") }
        if let config, !FileManager.default.fileExists(atPath: config) { throw ValidationError("--config: no such file '\(config)'") }
        for address in Self.addresses(listenAddresses) + [appChannelAddress] where !Self.isIPv4(Self.address(address)) {
            throw ValidationError("'\(address)' is not an IPv4 address (--dapr-listen-addresses, --app-channel-address)")
        }
        if Self.addresses(listenAddresses).isEmpty { throw ValidationError("--dapr-listen-addresses names no address") }
        if runFile != nil, !command.isEmpty { throw ValidationError("--run-file runs the apps its template names; give no command after '--'") }
    }

    func run() async throws {
        FileDescriptorLimit.raiseToHardLimit()
        let level = Self.level(logLevel) ?? .info
        let appID = appID
        let asJSON = logAsJSON
        LoggingSystem.bootstrap { label in
            if asJSON { return JSONLogHandler(label: label, appID: appID, logLevel: level) }
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = level
            return handler
        }
        var logger = Logger(label: "outrigger")
        logger.logLevel = level

        if let runFile {
            do {
                let template = try RunTemplate.load(path: runFile)
                for warning in template.warnings { logger.warning("\(warning)") }
                let executable = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
                let run = MultiAppRun(template: template, executable: executable, drainTimeout: try Self.duration(drainTimeout), logger: logger)
                let status = try await run.run()
                if status != 0 { throw ExitCode(status) }
                return
            } catch let error as ConfigurationError {
                logger.critical("cannot start: \(error)")
                throw ExitCode(2)
            }
        }
        var configuration = SidecarConfiguration(appID: appID)
        configuration.appPort = appPort
        configuration.appProtocol = SidecarConfiguration.AppProtocol(rawValue: appProtocol) ?? .http
        configuration.httpPort = httpPort
        configuration.grpcPort = grpcPort
        configuration.metricsPort = metricsPort
        configuration.resourcesPaths = resourcesPaths + componentsPaths
        configuration.configFile = config
        configuration.drainTimeout = try Self.duration(drainTimeout)
        configuration.appStartupTimeout = try Self.duration(appStartupTimeout)
        configuration.appMaxConcurrency = appMaxConcurrency
        configuration.maxBodySize = maxBodySize << 20
        configuration.httpReadTimeout = try Self.duration(httpReadTimeout)
        configuration.command = command
        configuration.watch = watch
        configuration.listenAddresses = Self.addresses(listenAddresses).map(Self.address)
        configuration.appChannelAddress = Self.address(appChannelAddress)
        let environment = ProcessInfo.processInfo.environment
        configuration.apiToken = environment["DAPR_API_TOKEN"].flatMap { $0.isEmpty ? nil : $0 }
        configuration.appAPIToken = environment["APP_API_TOKEN"].flatMap { $0.isEmpty ? nil : $0 }
        if configuration.resourcesPaths.isEmpty {
            let defaultPath = FileManager.default.homeDirectoryForCurrentUser.path + "/.dapr/components"
            if FileManager.default.fileExists(atPath: defaultPath) { configuration.resourcesPaths = [defaultPath] }
        }
        do {
            let status = try await Sidecar(configuration: configuration, logger: logger).run()
            if status != 0 { throw ExitCode(status) }
        } catch let error as ConfigurationError {
            logger.critical("cannot start: \(error)")
            throw ExitCode(2)
        }
    }

    static func addresses(_ list: String) -> [String] {
        list.split(separator: ",").compactMap { item in
            var item = item.drop(while: \.isWhitespace)
            while item.last?.isWhitespace == true { item = item.dropLast() }
            return item.isEmpty ? nil : String(item)
        }
    }

    /// `localhost` is 127.0.0.1, as for the brokers' hosts.
    static func address(_ text: String) -> String { text == "localhost" ? "127.0.0.1" : text }

    static func isIPv4(_ text: String) -> Bool {
        var address = in_addr()
        return inet_pton(AF_INET, text, &address) == 1
    }

    static func level(_ text: String) -> Logger.Level? {
        switch text.lowercased() {
        case "debug": .debug
        case "info": .info
        case "warn", "warning": .warning
        case "error": .error
        default: nil
        }
    }

    static func duration(_ text: String) throws -> Duration {
        if let seconds = Double(text) {
            // Int64(_:) traps on NaN, infinities and anything past 292 million years.
            guard seconds.isFinite, abs(seconds) < 1e12 else { throw ValidationError("'\(text)' is not a duration like 5s or 500ms") }
            return .milliseconds(Int64(seconds * 1000))
        }
        return try GoDuration.parse(text)
    }
}

struct ListComponents: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "components",
        abstract: "List the component types this build can load.")

    func run() {
        for descriptor in ComponentRegistry.descriptors.sorted(by: { $0.type < $1.type }) {
            let type = descriptor.type.padding(toLength: 28, withPad: " ", startingAt: 0)
            print("\(type) \(descriptor.versions.joined(separator: ",").padding(toLength: 6, withPad: " ", startingAt: 0)) \(descriptor.summary)")
        }
    }
}
