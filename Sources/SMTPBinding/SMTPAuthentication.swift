/// How the client logs in, chosen from what the server's EHLO offers.
enum SMTPAuthentication: Equatable {
    /// `AUTH PLAIN` with the credentials in the initial response (RFC 4616).
    case plain
    /// `AUTH LOGIN`: user name and password each after a `334` challenge.
    case login

    /// The mechanism for `offered` (the `AUTH` extension's parameters), as Dapr's mail library
    /// picks it: PLAIN unless only LOGIN is offered. Refuses to send a password over an
    /// unencrypted connection unless the server is on this machine (`localhost`, `127.0.0.1`,
    /// `::1`), the rule of Go's `net/smtp`.
    static func choose(offered: String, encrypted: Bool, host: String) throws(SMTPError) -> SMTPAuthentication {
        guard encrypted || ["localhost", "127.0.0.1", "::1"].contains(host.lowercased()) else {
            throw SMTPError(.refused, "refusing to send the password to \(host) over an unencrypted connection (the server offered no STARTTLS; use port 465 or a server with STARTTLS)")
        }
        let mechanisms = Set(offered.uppercased().split(separator: " ").map(String.init))
        if mechanisms.contains("LOGIN"), !mechanisms.contains("PLAIN") { return .login }
        return .plain
    }

    /// The base64 of `\0user\0password` for `AUTH PLAIN`.
    static func plainResponse(user: String, password: String) -> String {
        MIMEEncoding.base64([0] + Array(user.utf8) + [0] + Array(password.utf8))
    }
}
