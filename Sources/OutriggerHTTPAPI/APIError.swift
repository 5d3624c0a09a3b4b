import CloudEvents
import Hummingbird
import NIOCore
import OutriggerDelivery

/// A Dapr API error: the HTTP status and the `{"errorCode","message"}` body Dapr's SDKs read.
public struct APIError: Error, Sendable, Equatable, CustomStringConvertible {
    public var status: Int
    public var code: String
    public var message: String

    public init(status: Int, code: String, message: String) {
        self.status = status
        self.code = code
        self.message = message
    }

    /// The Dapr error for a refused publish.
    public init(_ error: PublishError) {
        self.init(status: error.httpStatus, code: error.code, message: error.description)
    }

    public var description: String { "\(code): \(message)" }

    /// The error as an HTTP response.
    public var response: Response { Response.json(status: status, body) }

    /// The `{"errorCode","message"}` JSON.
    var body: [UInt8] {
        var body: [UInt8] = []
        body.reserveCapacity(64 + message.utf8.count)
        body.append(contentsOf: #"{"errorCode":"#.utf8)
        JSONText.appendString(code, to: &body)
        body.append(contentsOf: #","message":"#.utf8)
        JSONText.appendString(message, to: &body)
        body.append(UInt8(ascii: "}"))
        return body
    }

    static func malformed(_ message: String) -> APIError {
        APIError(status: 400, code: "ERR_MALFORMED_REQUEST", message: message)
    }
}

extension Response {
    /// A response with a JSON body.
    static func json(status: Int = 200, _ body: [UInt8]) -> Response {
        Response(
            status: .init(code: status),
            headers: [.contentType: "application/json"],
            body: ResponseBody(byteBuffer: ByteBuffer(bytes: body)))
    }

    static let noContent = Response(status: .noContent)
}
