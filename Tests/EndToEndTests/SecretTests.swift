import Foundation
import Testing

/// Secret stores (`secretstores.local.file`, `secretstores.local.env`): `secretKeyRef` in component
/// metadata, the secrets API, and secret values kept out of logs and metadata.
@Suite("Secrets", .timeLimit(.minutes(1)))
struct SecretTests {
    static let password = "hunter2-never-logged"

    static func fileStore(name: String = "vault", file: String, multiValued: Bool = false) -> String {
        """
        apiVersion: dapr.io/v1alpha1
        kind: Component
        metadata:
          name: \(name)
        spec:
          type: secretstores.local.file
          version: v1
          metadata:
            - name: secretsFile
              value: \(YAML.quoted(file))
            - name: multiValued
              value: "\(multiValued)"
        """
    }

    /// A local storage binding whose `rootPath` is the secret `storage:root` of the store `vault`.
    static let storageFromSecret = """
        apiVersion: dapr.io/v1alpha1
        kind: Component
        metadata:
          name: files
        spec:
          type: bindings.localstorage
          version: v1
          metadata:
            - name: rootPath
              secretKeyRef:
                name: storage:root
                key: storage:root
        auth:
          secretStore: vault
        """

    @Test("a secretKeyRef from secretstores.local.file reaches the component; the secrets API answers get and bulk; no value is logged")
    func fileStore() async throws {
        let storage = try ResourceFolder()
        defer { storage.remove() }
        let secrets = try ResourceFolder()
        defer { secrets.remove() }
        let file = try secrets.write("secrets.json", #"{"password": "\#(Self.password)", "storage": {"root": "\#(storage.path)"}, "port": 5432}"#)
        let resources = ["vault.yaml": Self.fileStore(file: file), "files.yaml": Self.storageFromSecret]
        try await withSidecar(SidecarOptions(resources: resources, extraArguments: ["--log-level", "debug"])) { sidecar, _ in
            let created = try await HTTP.request(
                "POST", sidecar.baseURL + "/v1.0/bindings/files", body: Array(#"{"operation": "create", "data": "x", "metadata": {"fileName": "a.txt"}}"#.utf8))
            #expect(created.status / 100 == 2, "\(created.text)")
            #expect(FileManager.default.fileExists(atPath: storage.path + "/a.txt"), "the binding's rootPath came from the secret")

            let one = try await HTTP.request("GET", sidecar.baseURL + "/v1.0/secrets/vault/password")
            #expect(one.status == 200)
            #expect(one.json == ["password": .string(Self.password)])
            let nested = try await HTTP.request("GET", sidecar.baseURL + "/v1.0/secrets/vault/storage:root")
            #expect(nested.json == ["storage:root": .string(storage.path)])
            let number = try await HTTP.request("GET", sidecar.baseURL + "/v1.0/secrets/vault/port")
            #expect(number.json == ["port": "5432"])
            let bulk = try await HTTP.request("GET", sidecar.baseURL + "/v1.0/secrets/vault/bulk")
            #expect(bulk.json?["password"] == ["password": .string(Self.password)], "\(bulk.text)")
            #expect(bulk.json?.keys == ["password", "port", "storage:root"], "\(bulk.text)")

            let metadata = try await sidecar.get("/v1.0/metadata")
            #expect(!metadata.text.contains(Self.password))
            #expect(!sidecar.logs.contains(Self.password), "a secret value reached the log")
            #expect(!sidecar.logs.contains(storage.path), "a secret value reached the log")
        }
    }

    @Test("multiValued: each top-level name is one secret holding its pairs")
    func multiValued() async throws {
        let secrets = try ResourceFolder()
        defer { secrets.remove() }
        let file = try secrets.write("secrets.json", #"{"db": {"user": "app", "pass": "p", "tls": {"ca": "c"}}, "single": "s"}"#)
        try await withSidecar(SidecarOptions(resources: ["vault.yaml": Self.fileStore(file: file, multiValued: true)])) { sidecar, _ in
            let db = try await HTTP.request("GET", sidecar.baseURL + "/v1.0/secrets/vault/db")
            #expect(db.json == ["user": "app", "pass": "p", "tls:ca": "c"], "\(db.text)")
            let single = try await HTTP.request("GET", sidecar.baseURL + "/v1.0/secrets/vault/single")
            #expect(single.json == ["single": "s"])
        }
    }

    @Test("secretstores.local.env answers from the sidecar's environment")
    func envStore() async throws {
        let options = SidecarOptions(resources: ["env.yaml": YAML.envSecretStore()], environment: ["OUTRIGGER_TEST_SECRET": "from-the-environment"])
        try await withSidecar(options) { sidecar, _ in
            let answer = try await HTTP.request("GET", sidecar.baseURL + "/v1.0/secrets/env/OUTRIGGER_TEST_SECRET")
            #expect(answer.json == ["OUTRIGGER_TEST_SECRET": "from-the-environment"], "\(answer.text)")
        }
    }

    @Test("secrets API errors: unknown store 401, unknown secret 500, no store at all 500")
    func errors() async throws {
        let secrets = try ResourceFolder()
        defer { secrets.remove() }
        let file = try secrets.write("secrets.json", #"{"a": "1"}"#)
        try await withSidecar(SidecarOptions(resources: ["vault.yaml": Self.fileStore(file: file)])) { sidecar, _ in
            let store = try await HTTP.request("GET", sidecar.baseURL + "/v1.0/secrets/nope/a")
            #expect(store.status == 401 && store.json?["errorCode"] == "ERR_SECRET_STORE_NOT_FOUND", "\(store.text)")
            let key = try await HTTP.request("GET", sidecar.baseURL + "/v1.0/secrets/vault/missing")
            #expect(key.status == 500 && key.json?["errorCode"] == "ERR_SECRET_GET", "\(key.text)")
        }
        try await withSidecar(SidecarOptions()) { sidecar, _ in
            let none = try await HTTP.request("GET", sidecar.baseURL + "/v1.0/secrets/vault/a")
            #expect(none.status == 500 && none.json?["errorCode"] == "ERR_SECRET_STORES_NOT_CONFIGURED", "\(none.text)")
        }
    }

    @Test("a secret the store does not have stops start-up naming the component, the field and the secret")
    func missingSecret() async throws {
        let folder = try ResourceFolder()
        defer { folder.remove() }
        let file = try folder.write("secrets.json", #"{"password": "\#(Self.password)"}"#)
        try folder.write("vault.yaml", Self.fileStore(file: file))
        try folder.write("files.yaml", Self.storageFromSecret)
        let result = try await SidecarProcess.runToExit(["run", "--app-id", "secrets", "--dapr-http-port", String(Ports.allocate()), "--resources-path", folder.path])
        #expect(result.status == 2, "\(result.stderr)")
        #expect(result.stderr.contains("files.yaml"), "\(result.stderr)")
        #expect(result.stderr.contains("spec.metadata.rootPath.secretKeyRef"), "\(result.stderr)")
        #expect(result.stderr.contains("storage:root"), "\(result.stderr)")
        #expect(!result.stderr.contains(Self.password))
    }
}
