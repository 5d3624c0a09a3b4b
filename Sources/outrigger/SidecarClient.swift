import ArgumentParser
import AsyncHTTPClient
import Foundation
import NIOCore
import OutriggerCore
import OutriggerRuntime
/// An answer of the sidecar other than 2xx, shown as the sidecar wrote it.
struct ClientFailure: Error, CustomStringConvertible {
    let response: SidecarHTTP.Response

    init(_ response: SidecarHTTP.Response) { self.response = response }

    var description: String {
        "the sidecar answered \(response.status): \(String(decoding: response.body, as: UTF8.self))"
    }
}

/// A failure of a client command that is not about its flags (so no usage text follows it).
struct ClientError: Error, CustomStringConvertible {
    let description: String

    init(_ description: String) { self.description = description }
}

func printError(_ message: String) {
    FileHandle.standardError.write(Data("error: \(message)\n".utf8))
}

/// Reading what the client commands were given.
enum ClientInput {
    /// The sidecar of `appID`, the newest if several run; without an app id, the only one.
    static func sidecar(appID: String?) throws -> RunningSidecars.Record {
        let running = RunningSidecars()
        let all = running.list()
        guard let appID else {
            guard all.count == 1, let only = all.first else {
                let ids = all.map(\.appID).joined(separator: ", ")
                throw ClientError(all.isEmpty
                    ? "no sidecar is running (start one with `outrigger run`)"
                    : "several sidecars are running (\(ids)): choose one with --app-id")
            }
            return only
        }
        guard let newest = all.last(where: { $0.appID == appID }) else {
            throw ClientError("no sidecar with app id '\(appID)' is running (`outrigger list` shows the running ones)")
        }
        return newest
    }

    static func body(data: String?, file: String?) throws -> [UInt8] {
        if let file {
            guard let contents = FileManager.default.contents(atPath: file) else {
                throw ClientError("--data-file: cannot read '\(file)'")
            }
            return [UInt8](contents)
        }
        return Array((data ?? "").utf8)
    }

    /// `--metadata` as string pairs; numbers and booleans are taken as their text.
    static func metadata(_ text: String?) throws -> [String: String] {
        guard let text, !text.isEmpty else { return [:] }
        guard let object = try? JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any] else {
            throw ValidationError(#"--metadata must be a JSON object of strings, e.g. '{"ttlInSeconds": "60"}'"#)
        }
        var pairs: [String: String] = [:]
        for (key, value) in object {
            switch value {
            case let string as String: pairs[key] = string
            case let number as NSNumber: pairs[key] = number.stringValue
            default: throw ValidationError("--metadata: the value of '\(key)' must be a string")
            }
        }
        return pairs
    }

    static func contentType(of body: [UInt8]) -> String {
        guard let value = try? JSONSerialization.jsonObject(with: Data(body), options: [.fragmentsAllowed]) else {
            return "text/plain"
        }
        if let object = value as? [String: Any], object["specversion"] != nil { return "application/cloudevents+json" }
        return "application/json"
    }

    static func pathSegment(_ text: String) -> String {
        text.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed.subtracting(CharacterSet(charactersIn: "/"))) ?? text
    }

    static func queryValue(_ text: String) -> String {
        text.addingPercentEncoding(withAllowedCharacters: .urlQueryAllowed.subtracting(CharacterSet(charactersIn: "&=+"))) ?? text
    }
}

/// One request to a sidecar's HTTP API.
enum SidecarHTTP {
    struct Response {
        let status: Int
        let body: [UInt8]
    }

    static func post(_ url: String, body: [UInt8], contentType: String) async throws -> Response {
        var request = HTTPClientRequest(url: url)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: contentType)
        // A sidecar started with DAPR_API_TOKEN wants it on every call, as the Dapr CLI sends it.
        if let token = ProcessInfo.processInfo.environment["DAPR_API_TOKEN"], !token.isEmpty {
            request.headers.add(name: apiTokenHeader, value: token)
        }
        request.body = .bytes(ByteBuffer(bytes: body))
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(60))
        let answer = try await response.body.collect(upTo: 64 << 20)
        return Response(status: Int(response.status.code), body: Array(answer.readableBytesView))
    }
}
