import Foundation
import OutriggerCore
import Testing

/// Dapr's Multi-App Run template as `outrigger run -f` reads it.
@Suite("Multi-App Run template")
struct RunTemplateTests {
    /// A folder with app folders `a`, `b` (and more on demand), removed at the end of the test.
    struct Folder {
        let path: String

        init(apps: [String] = ["a", "b"]) throws {
            path = FileManager.default.temporaryDirectory.appendingPathComponent("outrigger-template-\(UUID().uuidString.prefix(8))").path
            for app in apps {
                try FileManager.default.createDirectory(atPath: "\(path)/apps/\(app)", withIntermediateDirectories: true)
            }
        }

        func parse(_ text: String) throws -> RunTemplate {
            try RunTemplate.parse(text, file: path + "/dapr.yaml")
        }

        func remove() { try? FileManager.default.removeItem(atPath: path) }
    }

    @Test("common gives every app its defaults, the app's own fields win, env maps merge; paths are taken from the template's folder")
    func commonAndPaths() throws {
        let folder = try Folder()
        defer { folder.remove() }
        let template = try folder.parse("""
            version: 1
            common:
              resourcesPath: ./components
              appProtocol: http
              env:
                SHARED: "1"
                LEVEL: common
            apps:
              - appID: first
                appDirPath: ./apps/a/
                appPort: 6001
                daprHTTPPort: 3510
                command: ["python3", "app.py"]
                env:
                  LEVEL: app
              - appDirPath: apps/b
                resourcesPaths: "./one, ./two"
                command: ["python3", "other.py"]
                appLogDestination: console
                daprdLogDestination: fileAndConsole
            """)
        #expect(template.apps.count == 2)
        let first = template.apps[0]
        #expect(first.appID == "first")
        #expect(first.appDirPath == folder.path + "/apps/a")
        #expect(first.resourcesPaths == [folder.path + "/components"])
        #expect(first.appPort == 6001)
        #expect(first.daprHTTPPort == 3510)
        #expect(first.appProtocol == "http")
        #expect(first.env == ["SHARED": "1", "LEVEL": "app"])
        #expect(first.command == ["python3", "app.py"])
        #expect(first.appLogDestination == .fileAndConsole)
        #expect(first.daprdLogDestination == .file)
        #expect(first.logDirectory == folder.path + "/apps/a/.dapr/logs")

        let second = template.apps[1]
        #expect(second.appID == "b", "without appID the app folder's name is the app id")
        #expect(second.resourcesPaths == [folder.path + "/one", folder.path + "/two"])
        #expect(second.env == ["SHARED": "1", "LEVEL": "common"])
        #expect(second.daprHTTPPort == nil)
        #expect(second.appLogDestination == .console)
        #expect(second.daprdLogDestination == .fileAndConsole)
    }

    @Test("without resourcesPath an app uses its own .dapr/resources and .dapr/config.yaml when they exist")
    func conventions() throws {
        let folder = try Folder()
        defer { folder.remove() }
        try FileManager.default.createDirectory(atPath: folder.path + "/apps/a/.dapr/resources", withIntermediateDirectories: true)
        FileManager.default.createFile(atPath: folder.path + "/apps/a/.dapr/config.yaml", contents: Data())
        let template = try folder.parse("""
            version: 1
            apps:
              - appDirPath: ./apps/a
              - appDirPath: ./apps/b
            """)
        #expect(template.apps[0].resourcesPaths == [folder.path + "/apps/a/.dapr/resources"])
        #expect(template.apps[0].configFilePath == folder.path + "/apps/a/.dapr/config.yaml")
        #expect(template.apps[1].resourcesPaths.isEmpty)
        #expect(template.apps[1].configFilePath == nil)
        #expect(template.apps[1].command.isEmpty)
    }

    @Test("a wrong template names the file and the field", arguments: [
        ("version: 2\napps:\n  - appDirPath: ./apps/a", "version"),
        ("version: 1\napps: []", "apps"),
        ("version: 1\napps:\n  - appID: x", "apps[0].appDirPath"),
        ("version: 1\napps:\n  - appDirPath: ./apps/missing", "apps[0].appDirPath"),
        ("version: 1\napps:\n  - appDirPath: ./apps/a\n    appPort: sixty", "apps[0].appPort"),
        ("version: 1\napps:\n  - appDirPath: ./apps/a\n    appLogDestination: syslog", "apps[0].appLogDestination"),
        ("version: 1\napps:\n  - {appID: same, appDirPath: ./apps/a}\n  - {appID: same, appDirPath: ./apps/b}", "apps[1].appID"),
    ])
    func errors(_ text: String, field: String) throws {
        let folder = try Folder()
        defer { folder.remove() }
        let error = #expect(throws: ConfigurationError.self) { try folder.parse(text) }
        #expect(error?.field == field)
        #expect(error?.file == folder.path + "/dapr.yaml")
    }

    @Test("unknown fields and fields Outrigger does not use are named in warnings")
    func warnings() throws {
        let folder = try Folder()
        defer { folder.remove() }
        let template = try folder.parse("""
            version: 1
            apps:
              - appDirPath: ./apps/a
                appHealthCheckPath: /healthz
                colour: blue
            """)
        #expect(template.warnings.contains { $0.contains("apps[0].colour") && $0.contains("unknown") })
        #expect(template.warnings.contains { $0.contains("apps[0].appHealthCheckPath") && $0.contains("not used") })
    }

    @Test("load takes a folder holding dapr.yaml, and says so when there is none")
    func loadFolder() throws {
        let folder = try Folder()
        defer { folder.remove() }
        #expect(throws: ConfigurationError.self) { try RunTemplate.load(path: folder.path) }
        try "version: 1\napps:\n  - appDirPath: ./apps/a\n".write(toFile: folder.path + "/dapr.yaml", atomically: true, encoding: .utf8)
        #expect(try RunTemplate.load(path: folder.path).apps.map(\.appID) == ["a"])
    }
}
