import Foundation
import OutriggerCore
import Testing

/// The SMTP sink of `conformance/smtp-sink/server.py`: the managed one `brokers.sh up smtp`
/// starts on 127.0.0.1:2525, or a private one a test starts (for STARTTLS).
struct MailSink {
    var host = "127.0.0.1"
    var port: Int
    /// Where the sink writes one JSON file per accepted message.
    var directory: URL

    static let repositoryRoot = URL(fileURLWithPath: #filePath).resolvingSymlinksInPath()
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// The sink `conformance/brokers.sh up smtp` runs, or nil (after printing SKIPPED, and
    /// recording an issue when `CI=true`) when nothing answers on 127.0.0.1:2525.
    static func managed(_ test: String) -> MailSink? {
        let environment = ProcessInfo.processInfo.environment
        guard TCPPortCheck.accepts(host: "127.0.0.1", port: 2525) else {
            skip(test, because: "nothing answers on 127.0.0.1:2525 (start it with `conformance/brokers.sh up smtp`)")
            return nil
        }
        // The folder brokers.sh gives the sink: per port, whichever checkout started it.
        let folder = environment["OUTRIGGER_SMTP_MAIL_DIR"] ?? "/tmp/outrigger-smtp-sink-2525"
        return MailSink(port: 2525, directory: URL(fileURLWithPath: folder))
    }

    static func skip(_ test: String, because reason: String) {
        print("SKIPPED \(test): \(reason)")
        if ProcessInfo.processInfo.environment["CI"] == "true" {
            Issue.record("\(test): \(reason); in CI the SMTP sink must run")
        }
    }

    /// The message whose envelope names `recipient`, read from the sink's directory. The sink
    /// writes the file before it answers the final dot, so it is there once `invoke` returned.
    func message(to recipient: String) throws -> ReceivedMail? {
        let files = (try? FileManager.default.contentsOfDirectory(at: directory, includingPropertiesForKeys: [.contentModificationDateKey])) ?? []
        let recent = Date().addingTimeInterval(-600)  // the directory keeps every earlier run's mail
        for file in files where file.pathExtension == "json" {
            guard let modified = try? file.resourceValues(forKeys: [.contentModificationDateKey]).contentModificationDate,
                  modified > recent else { continue }
            let mail = try ReceivedMail(json: Data(contentsOf: file))
            if mail.recipients.contains(recipient) { return mail }
        }
        return nil
    }
}

/// A unique address per test, so tests sharing the sink find their own message.
func uniqueAddress(_ tag: String) -> String {
    "\(tag)-\(UUID().uuidString.lowercased().prefix(12))@example.com"
}
