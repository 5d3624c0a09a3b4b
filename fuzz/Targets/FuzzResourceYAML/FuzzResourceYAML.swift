import OutriggerCore

/// libFuzzer entry point: the bytes are one resource file (Components, Subscriptions,
/// Resiliency documents, `---`-separated) as `--resources-path` or a hot reload reads it.
///
/// Loading must end in a `ResourceSet` or a thrown `ConfigurationError`; a trap or a hang is the
/// bug this target looks for. What loaded is then read the way the sidecar reads it.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzResourceYAML(_ start: UnsafePointer<UInt8>?, _ count: Int) -> CInt {
    let bytes = start.map { Array(UnsafeBufferPointer(start: $0, count: count)) } ?? []
    var set = ResourceSet()
    do {
        try ResourceLoader.load(text: String(decoding: bytes, as: UTF8.self), file: "fuzz.yaml", into: &set)
    } catch {
        _ = "\(error)"
        return 0
    }
    _ = ResiliencyTable(set.resiliencies)
    for component in set.components { _ = component.label }
    return 0
}
