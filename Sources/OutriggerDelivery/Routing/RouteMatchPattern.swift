/// A regular expression for CEL's `matches`, compiled once and shared across events.
///
/// CEL uses RE2, which finds a match anywhere in the string and works on code
/// points; this mirrors both with an unanchored search and Unicode-scalar semantics.
struct RouteMatchPattern: @unchecked Sendable {
    // @unchecked: `Regex` is not marked Sendable, but it is an immutable value whose
    // lazily lowered program is published with an atomic compare-and-swap, so
    // sharing one between concurrent deliveries is safe.

    /// Why a pattern was rejected, in the regex engine's words.
    struct CompileError: Error {
        let reason: String
    }

    /// The pattern as written.
    let source: String
    private let regex: Regex<AnyRegexOutput>

    init(_ source: String) throws(CompileError) {
        do {
            let regex = try Regex(source).matchingSemantics(.unicodeScalar)
            // A trial match lowers the pattern now, at subscribe time: the lowered
            // program is cached in storage every copy shares, so the first event
            // does not pay for it, and a lowering failure is reported as a syntax
            // error rather than per event.
            _ = try regex.firstMatch(in: "")
            self.source = source
            self.regex = regex
        } catch {
            throw CompileError(reason: String(describing: error))
        }
    }

    /// Whether the pattern matches somewhere in `text`.
    func isFound(in text: String) throws(CompileError) -> Bool {
        do {
            return try regex.firstMatch(in: text) != nil
        } catch {
            throw CompileError(reason: String(describing: error))
        }
    }
}
