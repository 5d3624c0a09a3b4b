import OutriggerCore
import OutriggerTesting
@testable import SMTPBinding
import Testing

func smtpMetadata(_ properties: [String: String]) -> ComponentMetadata {
    ComponentMetadata(name: "smtp-test", type: "bindings.smtp", properties: properties)
}

@Suite("bindings.smtp metadata")
struct SMTPBindingMetadataTests {
    let base = ["host": "127.0.0.1", "emailFrom": "from@example.com", "emailTo": "to@example.com", "subject": "Hi"]

    func message(_ request: [String: String], data: String = "<p>Hi</p>", component: [String: String] = [:]) throws -> MailMessage {
        let settings = try SMTPBindingMetadata(smtpMetadata(base.merging(component) { $1 }))
        return try settings.message(for: BindingRequest(operation: "create", data: Array(data.utf8), metadata: request))
    }

    @Test("host is required")
    func hostRequired() {
        #expect(failingField { _ = try SMTPBindingMetadata(smtpMetadata([:])) } == "host")
    }

    @Test("defaults: port 587, priority 3, certificates verified, no login")
    func defaults() throws {
        let settings = try SMTPBindingMetadata(smtpMetadata(["host": "smtp.example.com"]))
        #expect(settings.port == 587)
        #expect(settings.priority == 3)
        #expect(!settings.skipTLSVerify)
        #expect(settings.credentials == nil)
    }

    @Test("user without password (or the reverse) is a start-up error naming the missing one")
    func credentialsPair() {
        #expect(failingField { _ = try SMTPBindingMetadata(smtpMetadata(["host": "h", "user": "u"])) } == "password")
        #expect(failingField { _ = try SMTPBindingMetadata(smtpMetadata(["host": "h", "password": "p"])) } == "user")
    }

    @Test("a malformed field is a start-up error naming it", arguments: [
        ("priority", "7"), ("priority", "high"), ("port", "0"), ("skipTLSVerify", "perhaps"),
        ("emailFrom", "not-an-address"), ("emailTo", "a@example.com;nobody"), ("emailCC", "x@"), ("emailBCC", "@y"),
    ])
    func badField(field: String, value: String) {
        #expect(failingField { _ = try SMTPBinding(metadata: smtpMetadata(["host": "h", field: value])) } == field)
    }

    @Test("request metadata replaces the component's addresses, subject and priority")
    func overrides() throws {
        let mail = try message(["emailFrom": "other@example.com", "emailTo": "x@example.com;y@example.com", "emailCC": "c@example.com",
                                "emailBCC": "b@example.com", "subject": "Override", "priority": "1"])
        #expect(mail.from.address == "other@example.com")
        #expect(mail.to.map(\.address) == ["x@example.com", "y@example.com"])
        #expect(mail.cc.map(\.address) == ["c@example.com"])
        #expect(mail.bcc.map(\.address) == ["b@example.com"])
        #expect(mail.subject == "Override")
        #expect(mail.priority == 1)
    }

    @Test("without request metadata the component's values are used")
    func componentValues() throws {
        let mail = try message([:], component: ["priority": "5", "emailCC": "cc@example.com"])
        #expect(mail.from.address == "from@example.com")
        #expect(mail.to.map(\.address) == ["to@example.com"])
        #expect(mail.cc.map(\.address) == ["cc@example.com"])
        #expect(mail.subject == "Hi")
        #expect(mail.priority == 5)
    }

    @Test("emailFrom, emailTo or subject missing from both component and request is a bad request")
    func missingRequired() throws {
        let settings = try SMTPBindingMetadata(smtpMetadata(["host": "h"]))
        let error = #expect(throws: InvalidBindingRequest.self) {
            try settings.message(for: BindingRequest(operation: "create", data: [], metadata: ["emailTo": "a@b.c", "subject": "s"]))
        }
        #expect(error?.message.contains("emailFrom") == true)
    }

    @Test("a bad priority or address in the request is a bad request")
    func badRequestValues() {
        #expect(throws: InvalidBindingRequest.self) { try message(["priority": "0"]) }
        #expect(throws: InvalidBindingRequest.self) { try message(["emailTo": "nobody"]) }
    }

    @Test("data that is a Go-quoted string (Dapr's HTTP API) is unquoted; other data is the body as is")
    func bodyUnquoting() throws {
        #expect(try message([:], data: #""<b>hi</b>\n""#).body == Array("<b>hi</b>\n".utf8))
        #expect(try message([:], data: "<b>hi</b>").body == Array("<b>hi</b>".utf8))
    }

    @Test("the binding offers only create")
    func operations() throws {
        #expect(try SMTPBinding(metadata: smtpMetadata(["host": "h"])).operations == ["create"])
    }
}
