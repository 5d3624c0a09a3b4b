/// NATS subject matching: tokens separated by `.`, `*` matches one token, `>` (last) matches
/// one or more.
enum SubjectPattern {
    /// Whether `pattern` captures `subject`.
    static func matches(_ pattern: String, _ subject: String) -> Bool {
        let patternTokens = pattern.split(separator: ".", omittingEmptySubsequences: false)
        let subjectTokens = subject.split(separator: ".", omittingEmptySubsequences: false)
        for (index, token) in patternTokens.enumerated() {
            if token == ">" { return subjectTokens.count > index }
            guard index < subjectTokens.count else { return false }
            if token != "*" && token != subjectTokens[index] { return false }
        }
        return patternTokens.count == subjectTokens.count
    }
}
