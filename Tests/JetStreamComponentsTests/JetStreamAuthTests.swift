import OutriggerCore
import Testing
@testable import JetStreamComponents

@Suite("pubsub.jetstream authentication")
struct JetStreamAuthTests {
    @Test("the token metadata authenticates against a server that requires it")
    func tokenAccepted() async throws {
        let server = try PrivateNATSServer(arguments: ["--auth", "s3cret-token"])
        try await server.start()
        let pubsub = try await SharedBroker.component(["token": "s3cret-token"], url: server.url)
        try await pubsub.ping()
        try await pubsub.close()
    }

    @Test("a refused token fails start-up naming the token field")
    func tokenRefused() async throws {
        let server = try PrivateNATSServer(arguments: ["--auth", "s3cret-token"])
        try await server.start()
        do {
            let pubsub = try await SharedBroker.component(["token": "wrong"], url: server.url)
            try? await pubsub.close()
            Issue.record("a wrong token was accepted")
        } catch let error as ComponentConfigurationError {
            #expect(error.field == "token")
        }
    }

    @Test("jwt and seedKey authenticate against a server that trusts the user's operator")
    func userJWTAccepted() async throws {
        let server = try PrivateNATSServer(configuration: OperatorFixture.serverConfiguration)
        try await server.start()
        let pubsub = try await SharedBroker.component(["jwt": OperatorFixture.userJWT, "seedKey": OperatorFixture.userSeed], url: server.url)
        try await pubsub.ping()
        try await pubsub.close()
    }

    @Test("a seedKey that cannot sign for the jwt fails start-up naming the jwt field")
    func userJWTRefused() async throws {
        let server = try PrivateNATSServer(configuration: OperatorFixture.serverConfiguration)
        try await server.start()
        do {
            let pubsub = try await SharedBroker.component(["jwt": OperatorFixture.userJWT, "seedKey": OperatorFixture.otherUserSeed], url: server.url)
            try? await pubsub.close()
            Issue.record("a seed of another key was accepted")
        } catch let error as ComponentConfigurationError {
            #expect(error.field == "jwt")
        }
    }

    @Test("an unreachable server fails start-up naming natsURL")
    func unreachable() async throws {
        guard let port = TCPPortCheck.freePort() else { return }
        do {
            let pubsub = try await SharedBroker.component([:], url: "nats://127.0.0.1:\(port)")
            try? await pubsub.close()
            Issue.record("connected to nothing")
        } catch let error as ComponentConfigurationError {
            #expect(error.field == "natsURL")
        }
    }
}
