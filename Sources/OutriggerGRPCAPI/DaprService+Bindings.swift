import DaprProto
import Foundation
import OutriggerCore
import OutriggerDelivery

extension DaprService {
    /// `InvokeBinding`: the same ``BindingInvoker`` as the HTTP API. The data bytes reach the
    /// binding as they are. Errors are Dapr's `ERR_INVOKE_OUTPUT_BINDING`: INTERNAL for an
    /// unknown binding or the binding's own failure, INVALID_ARGUMENT for a request the app can
    /// fix (no or an unsupported operation, a request the binding refuses).
    func invokeBinding(_ request: Dapr_Proto_Runtime_V1_InvokeBindingRequest) async throws -> Dapr_Proto_Runtime_V1_InvokeBindingResponse {
        let answer: BindingResponse
        do throws(BindingInvocationError) {
            answer = try await dependencies.bindings.invoke(
                request.name, BindingRequest(operation: request.operation, data: [UInt8](request.data), metadata: request.metadata))
        } catch {
            throw DaprRPCError(
                code: error.isRequestError ? .invalidArgument : .internalError, errorCode: error.code,
                reason: "DAPR_BINDING_INVOKE_OUTPUT_BINDING", message: error.description, metadata: ["name": request.name])
        }
        var response = Dapr_Proto_Runtime_V1_InvokeBindingResponse()
        response.data = Data(answer.data)
        response.metadata = answer.metadata
        return response
    }
}
