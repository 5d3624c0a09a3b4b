import DaprProto
import Foundation
import OutriggerCore

extension DaprService {
    /// `InvokeBinding`: calls the output binding named in the request.
    ///
    /// Errors are Dapr's: INTERNAL with `ERR_INVOKE_OUTPUT_BINDING`, for an unknown binding
    /// ("couldn't find output binding X"), an operation the binding does not support, or a
    /// failed call.
    func invokeBinding(_ request: Dapr_Proto_Runtime_V1_InvokeBindingRequest) async throws -> Dapr_Proto_Runtime_V1_InvokeBindingResponse {
        let name = request.name
        func failure(_ reason: String) -> DaprRPCError {
            DaprRPCError(
                code: .internalError, errorCode: "ERR_INVOKE_OUTPUT_BINDING", reason: "DAPR_BINDING_INVOKE_OUTPUT_BINDING",
                message: "error invoking output binding \(name): \(reason)", metadata: ["name": name, "error": reason])
        }
        guard let binding = dependencies.publisher.components.outputBinding(named: name) else {
            throw failure("couldn't find output binding \(name)")
        }
        guard binding.operations.contains(request.operation) else {
            throw failure("binding \(name) does not support operation '\(request.operation)'. supported operations: \(binding.operations.joined(separator: " "))")
        }
        let answer: BindingResponse
        do {
            answer = try await binding.invoke(BindingRequest(operation: request.operation, data: [UInt8](request.data), metadata: request.metadata))
        } catch {
            throw failure("\(error)")
        }
        var response = Dapr_Proto_Runtime_V1_InvokeBindingResponse()
        response.data = Data(answer.data)
        response.metadata = answer.metadata
        return response
    }
}
