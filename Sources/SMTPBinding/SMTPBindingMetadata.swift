import OutriggerCore

/// The `spec.metadata` of a `bindings.smtp` component, with Dapr's names and defaults.
public struct SMTPBindingMetadata: Sendable {
    /// `host` (required).
    public var host: String
    /// `port` (default 587). Port 465 means TLS from the first byte; any other port upgrades
    /// with STARTTLS when the server offers it.
    public var port: Int
    /// `user` and `password`: both or neither.
    public var credentials: (user: String, password: String)?
    /// `skipTLSVerify` (default false): accept any server certificate.
    public var skipTLSVerify: Bool
    // Each of the following may be replaced per request.
    /// `emailFrom`: the sender, `addr@domain` or `Name <addr@domain>`.
    public var emailFrom: String?
    /// `emailTo`: recipients separated by `;`.
    public var emailTo: String?
    /// `emailCC`: copy recipients separated by `;`.
    public var emailCC: String?
    /// `emailBCC`: blind copy recipients separated by `;`, named in no header.
    public var emailBCC: String?
    /// `subject`.
    public var subject: String?
    /// `priority` 1 (highest) … 5 (lowest), default 3.
    public var priority: Int

    /// Dapr's `priority` default.
    public static let defaultPriority = 3

    /// Reads and checks every field; throws ``ComponentConfigurationError`` naming the field.
    public init(_ metadata: ComponentMetadata) throws(ComponentConfigurationError) {
        host = try metadata.required("host")
        port = try metadata.int("port", default: 587, in: 1...65535)
        let user = metadata["user"] ?? "", password = metadata["password"] ?? ""
        switch (user.isEmpty, password.isEmpty) {
        case (true, true): credentials = nil
        case (false, false): credentials = (user, password)
        case (true, false): throw ComponentConfigurationError(component: metadata.name, field: "user", reason: "is required when password is set")
        case (false, true): throw ComponentConfigurationError(component: metadata.name, field: "password", reason: "is required when user is set")
        }
        skipTLSVerify = try metadata.bool("skipTLSVerify", default: false)
        func optional(_ key: String) -> String? { metadata[key].flatMap { $0.isEmpty ? nil : $0 } }
        emailFrom = optional("emailFrom")
        emailTo = optional("emailTo")
        emailCC = optional("emailCC")
        emailBCC = optional("emailBCC")
        subject = optional("subject")
        priority = try metadata.int("priority", default: Self.defaultPriority, in: 1...5)
        for (field, value) in [("emailFrom", emailFrom), ("emailTo", emailTo), ("emailCC", emailCC), ("emailBCC", emailBCC)] {
            guard let value else { continue }
            do {
                _ = try field == "emailFrom" ? [MailAddress(parsing: value)] : MailAddress.list(value)
            } catch {
                throw ComponentConfigurationError(component: metadata.name, field: field, reason: error.description)
            }
        }
    }

    /// The message for one request: request metadata `emailFrom`, `emailTo`, `emailCC`,
    /// `emailBCC`, `subject` and `priority` replace the component's values when not empty; the
    /// data is the HTML body (a Go-quoted string is unquoted first, as Dapr does).
    func message(for request: BindingRequest) throws(InvalidBindingRequest) -> MailMessage {
        func value(_ key: String, _ configured: String?) -> String? {
            if let given = request.metadata[key], !given.isEmpty { return given }
            return configured
        }
        func required(_ key: String, _ configured: String?) throws(InvalidBindingRequest) -> String {
            guard let found = value(key, configured) else {
                throw InvalidBindingRequest("\(key) is set neither in the component's metadata nor in the request's metadata")
            }
            return found
        }
        var priority = self.priority
        if let text = request.metadata["priority"], !text.isEmpty {
            guard let number = Int(text), (1...5).contains(number) else {
                throw InvalidBindingRequest("metadata priority must be 1 (highest) to 5 (lowest), got '\(text)'")
            }
            priority = number
        }
        let fromText = try required("emailFrom", emailFrom)
        let toText = try required("emailTo", emailTo)
        let subject = try required("subject", self.subject)
        do {
            let message = MailMessage(
                from: try MailAddress(parsing: fromText),
                to: try MailAddress.list(toText),
                cc: try value("emailCC", emailCC).map(MailAddress.list) ?? [],
                bcc: try value("emailBCC", emailBCC).map(MailAddress.list) ?? [],
                subject: subject,
                priority: priority,
                body: GoStringLiteral.unquote(request.data) ?? request.data)
            guard !message.to.isEmpty else { throw InvalidBindingRequest("emailTo names no address") }
            return message
        } catch let error as MailAddress.ParseError {
            throw InvalidBindingRequest(error.description)
        } catch let error as InvalidBindingRequest {
            throw error
        } catch {
            throw InvalidBindingRequest("\(error)")
        }
    }
}
