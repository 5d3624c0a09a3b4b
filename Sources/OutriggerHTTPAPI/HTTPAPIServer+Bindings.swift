import HTTPTypes
import Hummingbird
import NIOCore
import OutriggerCore
import OutriggerDelivery

extension HTTPAPIServer {
    /// `POST|PUT /v1.0/bindings/{name}` with `{"operation","data","metadata"}`: 200 with the
    /// binding's data (its content type, else `application/json` as daprd answers), 204 when it
    /// answered no data; response metadata as `metadata.<key>` headers. Errors are Dapr's
    /// `{"errorCode","message"}` (see ``BindingInvocationError``).
    func invokeBinding(_ request: Request, context: BasicRequestContext) async -> Response {
        var request = request
        let body: ByteBuffer
        do {
            body = try await request.collectBody(upTo: maxBodySize)
        } catch {
            return APIError(status: 413, code: "ERR_MALFORMED_REQUEST", message: "request body is larger than \(maxBodySize) bytes (--max-body-size)").response
        }
        let name: String
        do throws(APIError) {
            name = try PathParameter.decode(context.parameters.get("name") ?? "", name: "binding name")
        } catch {
            return error.response
        }
        let answer: BindingResponse
        do throws(BindingInvocationError) {
            answer = try await dependencies.bindings.invoke(
                name, try BindingInvoker.request(fromJSON: Array(buffer: body)),
                traceParent: request.headers[traceParentField] ?? "", traceState: request.headers[traceStateField] ?? "")
        } catch {
            return APIError(status: error.httpStatus, code: error.code, message: error.description).response
        }
        var headers = HTTPFields()
        for (key, value) in answer.metadata.sorted(by: { $0.key < $1.key }) {
            if let field = HTTPField.Name("metadata.\(key)") { headers.append(HTTPField(name: field, value: value)) }
        }
        guard !answer.data.isEmpty else { return Response(status: .noContent, headers: headers) }
        headers[.contentType] = answer.contentType ?? "application/json"
        return Response(status: .ok, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(bytes: answer.data)))
    }
}
