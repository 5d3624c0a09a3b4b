import AMQPClient
import Testing

@Suite("AMQPURI")
struct AMQPURITests {
    @Test("a full amqp URI gives every part, percent-decoded")
    func full() throws {
        let uri = try AMQPURI(parsing: "amqp://us%40er:p%3Ass@broker.example:5673/my%2Fvhost")
        #expect(uri == AMQPURI(isSecure: false, host: "broker.example", port: 5673, username: "us@er", password: "p:ss", virtualHost: "my/vhost"))
    }

    @Test("defaults: guest/guest, port 5672, vhost /")
    func defaults() throws {
        let uri = try AMQPURI(parsing: "amqp://localhost")
        #expect(uri == AMQPURI(isSecure: false, host: "localhost", port: 5672, username: "guest", password: "guest", virtualHost: "/"))
    }

    @Test("amqps defaults to port 5671")
    func secure() throws {
        let uri = try AMQPURI(parsing: "amqps://user:pw@[::1]/")
        #expect(uri.isSecure && uri.port == 5671 && uri.host == "::1" && uri.virtualHost == "/")
    }

    @Test("other schemes and bad ports are refused", arguments: ["http://localhost", "amqp://host:0", "amqp://host:notaport", "amqp://h/a/b"])
    func refused(_ text: String) {
        #expect(throws: AMQPURI.Invalid.self) { try AMQPURI(parsing: text) }
    }
}
