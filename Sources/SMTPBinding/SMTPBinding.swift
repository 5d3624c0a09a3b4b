import OutriggerCore

/// `bindings.smtp`: an output binding that sends an HTML email through an SMTP server.
///
/// ```yaml
/// spec:
///   type: bindings.smtp
///   version: v1
///   metadata:
///     - { name: host, value: smtp.example.com }
///     - { name: port, value: "587" }
///     - { name: user, value: mailer }
///     - { name: password, secretKeyRef: { name: smtp, key: password } }
///     - { name: emailFrom, value: "Orders <orders@example.com>" }
/// ```
///
/// Operation `create` sends the request data as the HTML body. Request metadata `emailFrom`,
/// `emailTo`, `emailCC`, `emailBCC` (addresses separated by `;`), `subject` and `priority`
/// replace the component's values. A 4xx reply from the server is a retriable failure, a 5xx
/// reply a terminal one, both with the server's text. See `docs/components/bindings.smtp.md`.
public final class SMTPBinding: OutputBinding {
    /// The registry entry for `bindings.smtp`.
    public static let descriptor = ComponentDescriptor(
        type: "bindings.smtp",
        summary: "Sends an HTML email through an SMTP server"
    ) { metadata in
        try SMTPBinding(metadata: metadata)
    }

    /// Only `create`: send a message.
    public let operations = ["create"]

    private let settings: SMTPBindingMetadata
    private let server: SMTPServer

    /// Checks the metadata; no connection is made until the first message.
    public convenience init(metadata: ComponentMetadata) throws {
        try self.init(metadata: metadata, timeouts: .standard)
    }

    init(metadata: ComponentMetadata, timeouts: SMTPServer.Timeouts) throws {
        settings = try SMTPBindingMetadata(metadata)
        do {
            server = try SMTPServer(settings, timeouts: timeouts)
        } catch {
            throw ComponentConfigurationError(component: metadata.name, field: "skipTLSVerify", reason: "the TLS configuration could not be built: \(error)")
        }
    }

    /// Sends one message; returns once the server accepted it for every recipient.
    public func invoke(_ request: BindingRequest) async throws -> BindingResponse {
        let message = try settings.message(for: request)
        do {
            try await SMTPClient.send(message, to: server)
        } catch {
            throw ComponentError(error.isTransient ? .retriable : .terminal, "sending email failed: \(error.message)")
        }
        return BindingResponse()
    }

    /// Nothing to release: every message has its own connection.
    public func close() async throws {}
}
