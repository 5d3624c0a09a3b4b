/// A regular expression for CEL's `matches`, compiled once and shared across events.
///
/// CEL uses RE2: a match anywhere in the string, code-point semantics, and time linear in the
/// text whatever the pattern. ``LinearRegex`` gives all three, so a rule such as
/// `event.data.name.matches("(a+)+$")` cannot be turned into a hang by the event it reads,
/// and a pattern taken from the event itself is bounded when it is compiled too.
struct RouteMatchPattern: Sendable {
    /// Why a pattern was rejected, in RE2's words, and where in the pattern.
    struct CompileError: Error {
        let reason: String
    }

    /// The pattern as written.
    let source: String
    private let regex: LinearRegex

    init(_ source: String) throws(CompileError) {
        do throws(LinearRegex.SyntaxError) {
            regex = try LinearRegex(source)
        } catch {
            throw CompileError(reason: "\(error.reason) at offset \(error.offset)")
        }
        self.source = source
    }

    /// Whether the pattern matches somewhere in `text`.
    func isFound(in text: String) -> Bool {
        regex.isFound(in: text)
    }
}
