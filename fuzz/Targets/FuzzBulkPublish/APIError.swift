/// Stands in for `OutriggerHTTPAPI.APIError`, which needs Hummingbird: the bulk-publish parser
/// only builds one from a status, a Dapr error code and a message.
struct APIError: Error {
    var status: Int
    var code: String
    var message: String
}
