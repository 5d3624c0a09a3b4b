/// Inputs shaped like the examples of the CloudEvents 1.0 JSON event format
/// (structured mode with `data`, with `data_base64`, and batch mode), with our
/// own values.
enum SpecExamples {
    /// Structured mode, JSON `data`, two extensions (one not a string).
    static let withJSONData = """
        {
            "specversion" : "1.0",
            "type" : "com.example.inventory.restocked",
            "source" : "/warehouses/north-7",
            "subject" : "sku-4411",
            "id" : "c0ffee-0001",
            "time" : "2025-03-14T09:26:53Z",
            "comexampleextension1" : "shelf-b",
            "comexampleothervalue" : 5,
            "datacontenttype" : "application/json",
            "data" : { "sku" : "4411", "count" : 12, "tags" : ["cold", "fragile"] }
        }
        """

    /// The exact raw text of `data` in ``withJSONData``.
    static let withJSONDataPayload = #"{ "sku" : "4411", "count" : 12, "tags" : ["cold", "fragile"] }"#

    /// Structured mode, XML carried as a JSON string `data`.
    static let withStringData = """
        {
            "specversion" : "1.0",
            "type" : "com.example.report.rendered",
            "source" : "https://reports.example.net/jobs",
            "id" : "R-77",
            "datacontenttype" : "text/xml",
            "data" : "<report pages=\\"3\\"/>"
        }
        """

    /// Structured mode with binary `data_base64` (the 8-byte PNG signature).
    static let withBase64Data = """
        {
            "specversion" : "1.0",
            "type" : "com.example.camera.snapshot",
            "source" : "urn:device:cam-17",
            "id" : "snap-998",
            "time" : "2025-03-14T09:27:00.250+01:00",
            "datacontenttype" : "image/png",
            "data_base64" : "iVBORw0KGgo="
        }
        """

    static let pngSignature: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]

    /// Batch mode: an array of the three events above.
    static let batch = "[\n" + [withJSONData, withStringData, withBase64Data].joined(separator: ",\n") + "\n]"
}
