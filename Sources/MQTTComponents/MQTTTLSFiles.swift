import Foundation
import MQTTClient

/// The PEM metadata of a component written to files, because libmosquitto reads certificates
/// from files (at every connect): a private directory (mode 0700, files 0600) removed by
/// ``remove()`` when the component closes.
final class MQTTTLSFiles: Sendable {
    let directory: String
    let files: MQTTConfiguration.TLSFiles

    /// Writes whichever of the three PEM texts are given; `nil` when none is.
    init?(caCert: String?, clientCert: String?, clientKey: String?) throws {
        guard caCert != nil || clientCert != nil || clientKey != nil else { return nil }
        var template = Array((NSTemporaryDirectory() + "/outrigger-mqtt-XXXXXX").utf8CString)
        guard let made = mkdtemp(&template) else { throw CocoaError(.fileWriteUnknown) }
        let directory = String(cString: made)
        self.directory = directory
        func write(_ text: String?, _ name: String) throws -> String? {
            guard let text else { return nil }
            let path = directory + "/" + name
            guard FileManager.default.createFile(atPath: path, contents: Data(text.utf8), attributes: [.posixPermissions: 0o600]) else {
                throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: path])
            }
            return path
        }
        files = MQTTConfiguration.TLSFiles(
            caFile: try write(caCert, "ca.pem"), certificateFile: try write(clientCert, "client.pem"), keyFile: try write(clientKey, "client-key.pem"))
    }

    func remove() {
        try? FileManager.default.removeItem(atPath: directory)
    }
}
