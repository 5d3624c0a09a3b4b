import Foundation

/// Dapr's Multi-App Run template (`dapr.yaml`), read by `outrigger run -f`.
///
/// Every relative path is taken from the template's folder, as the Dapr CLI does. `common` gives
/// each app its defaults; an app's own fields win, and `env` maps are merged (the app's keys
/// win). Without `resourcesPath(s)` an app uses `<appDirPath>/.dapr/resources` when it exists,
/// and `configFilePath` defaults to `<appDirPath>/.dapr/config.yaml` when that exists.
///
/// ```swift
/// let template = try RunTemplate.load(path: "./dapr.yaml")   // or a folder holding dapr.yaml
/// for app in template.apps { print(app.appID, app.command) }
/// ```
public struct RunTemplate: Sendable {
    /// Where a stream of output goes: Dapr's `appLogDestination` / `daprdLogDestination`.
    public enum LogDestination: String, Sendable, CaseIterable {
        case console, file, fileAndConsole
    }

    /// One app of the template, with `common` applied and paths made absolute.
    public struct App: Sendable, Equatable {
        public var appID: String
        public var appDirPath: String
        /// Empty: the sidecar runs without an app (as `command` may be left out in Dapr).
        public var command: [String]
        public var appPort: Int?
        public var appProtocol: String?
        public var resourcesPaths: [String]
        public var configFilePath: String?
        public var daprHTTPPort: Int?
        public var daprGRPCPort: Int?
        public var metricsPort: Int?
        public var env: [String: String]
        public var logLevel: String?
        public var appMaxConcurrency: Int?
        /// `daprHTTPMaxRequestSize`, in MB.
        public var maxBodySize: Int?
        public var appLogDestination: LogDestination
        public var daprdLogDestination: LogDestination
        /// `<appDirPath>/.dapr/logs`, where Dapr writes an app's log files.
        public var logDirectory: String { appDirPath + "/.dapr/logs" }
    }

    public var file: String
    public var apps: [App]
    /// Fields Outrigger does not know, and the template fields it accepts without using.
    public var warnings: [String]

    /// Fields an app (or `common`) may have; those Outrigger accepts but does not use are in ``ignoredFields``.
    static let appFields: Set<String> = Set([
        "appID", "appDirPath", "command", "appPort", "appProtocol", "resourcesPath", "resourcesPaths", "configFilePath",
        "daprHTTPPort", "daprGRPCPort", "metricsPort", "env", "logLevel", "appMaxConcurrency", "daprHTTPMaxRequestSize",
        "appLogDestination", "daprdLogDestination",
    ]).union(ignoredFields)
    /// Accepted for compatibility; they change nothing in Outrigger (named in a warning when set).
    static let ignoredFields: Set<String> = [
        "appChannelAddress", "appHealthCheckPath", "appHealthProbeInterval", "appHealthProbeTimeout",
        "appHealthThreshold", "enableAppHealthCheck", "enableApiLogging", "enableProfiling", "profilePort",
        "unixDomainSocket", "daprHTTPReadBufferSize", "daprInternalGRPCPort", "placementHostAddress",
        "runtimePath", "containerImage", "containerImagePullPolicy", "createService", "appSSL",
    ]

    /// Reads the template at `path`, or `path/dapr.yaml` when `path` is a folder.
    public static func load(path: String) throws -> RunTemplate {
        var isFolder: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isFolder) else {
            throw ConfigurationError(file: path, document: 1, field: "", message: "no such file or folder")
        }
        let file = isFolder.boolValue ? (path as NSString).appendingPathComponent("dapr.yaml") : path
        guard let data = FileManager.default.contents(atPath: file) else {
            throw ConfigurationError(file: file, document: 1, field: "", message: isFolder.boolValue
                ? "no dapr.yaml in the folder \(path) (give the template's file name with -f)"
                : "cannot read the file")
        }
        return try parse(String(decoding: data, as: UTF8.self), file: absolute(file, base: FileManager.default.currentDirectoryPath))
    }

    /// Parses template text; `file` (absolute) names it in errors and anchors relative paths.
    public static func parse(_ text: String, file: String) throws(ConfigurationError) -> RunTemplate {
        let root = try YAMLField.singleDocument(text, file: file)
        let context = root.context
        root.warnAboutUnknownMembers(["version", "common", "apps"])
        if let version = try root.child("version").string(), version != "1" {
            throw root.child("version").error("must be 1, got '\(version)'")
        }
        let base = (file as NSString).deletingLastPathComponent
        let common = root.child("common")
        common.warnAboutUnknownMembers(appFields)
        let entries = try root.child("apps").items()
        guard !entries.isEmpty else { throw root.child("apps").error("must list at least one app") }
        var apps: [App] = []
        for entry in entries {
            entry.warnAboutUnknownMembers(appFields)
            let app = try readApp(entry, common: common, base: base)
            if let twin = apps.firstIndex(where: { $0.appID == app.appID }) {
                throw entry.child("appID").error("'\(app.appID)' is also the app id of apps[\(twin)]")
            }
            apps.append(app)
        }
        for field in [common] + entries {
            for (key, _) in try field.members() where ignoredFields.contains(key) {
                context.warnings.append("\(file): '\(field.path.isEmpty ? key : field.path + "." + key)' is accepted and not used by Outrigger")
            }
        }
        return RunTemplate(file: file, apps: apps, warnings: context.warnings)
    }

    private static func readApp(_ entry: YAMLField, common: YAMLField, base: String) throws(ConfigurationError) -> App {
        /// The app's own field, else `common`'s.
        func field(_ name: String) throws(ConfigurationError) -> YAMLField {
            entry.child(name).isPresent ? entry.child(name) : common.child(name)
        }
        let dirField = entry.child("appDirPath")
        let appDirPath = absolute(try dirField.requiredString(), base: base)
        var isFolder: ObjCBool = false
        guard FileManager.default.fileExists(atPath: appDirPath, isDirectory: &isFolder), isFolder.boolValue else {
            throw dirField.error("no such folder: \(appDirPath)")
        }
        let appID = try entry.child("appID").string() ?? (appDirPath as NSString).lastPathComponent
        let conventions = appDirPath + "/.dapr"

        var resources: [String] = []
        for name in ["resourcesPaths", "resourcesPath"] {
            let source = try field(name)
            guard source.isPresent, resources.isEmpty else { continue }
            // A list, or one string with comma-separated paths (Dapr accepts both).
            let values = if case .sequence = source.node { try source.stringList() } else {
                (try source.string() ?? "").split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
            }
            resources = values.filter { !$0.isEmpty }.map { absolute($0, base: base) }
        }
        if resources.isEmpty, FileManager.default.fileExists(atPath: conventions + "/resources") {
            resources = [conventions + "/resources"]
        }
        var configFile = try field("configFilePath").string().map { absolute($0, base: base) }
        if configFile == nil, FileManager.default.fileExists(atPath: conventions + "/config.yaml") {
            configFile = conventions + "/config.yaml"
        }

        let commandField = try field("command")
        let command: [String] = if case .scalar = commandField.node {
            (try commandField.string() ?? "").split(separator: " ").map(String.init)
        } else {
            try commandField.stringList()
        }
        var env = try common.child("env").stringMap()
        env.merge(try entry.child("env").stringMap()) { _, app in app }

        return App(
            appID: appID, appDirPath: appDirPath, command: command,
            appPort: try field("appPort").int(), appProtocol: try field("appProtocol").string(),
            resourcesPaths: resources, configFilePath: configFile,
            daprHTTPPort: try entry.child("daprHTTPPort").int(), daprGRPCPort: try entry.child("daprGRPCPort").int(),
            metricsPort: try entry.child("metricsPort").int(), env: env,
            logLevel: try field("logLevel").string(), appMaxConcurrency: try field("appMaxConcurrency").int(),
            maxBodySize: try field("daprHTTPMaxRequestSize").int(),
            appLogDestination: try destination(try field("appLogDestination"), default: .fileAndConsole),
            daprdLogDestination: try destination(try field("daprdLogDestination"), default: .file))
    }

    private static func destination(_ field: YAMLField, default value: LogDestination) throws(ConfigurationError) -> LogDestination {
        guard let text = try field.string() else { return value }
        guard let destination = LogDestination(rawValue: text) else {
            throw field.error("must be console, file or fileAndConsole, got '\(text)'")
        }
        return destination
    }

    static func absolute(_ path: String, base: String) -> String {
        let expanded = (path as NSString).expandingTildeInPath
        let joined = expanded.hasPrefix("/") ? expanded : (base as NSString).appendingPathComponent(expanded)
        return (joined as NSString).standardizingPath
    }
}
