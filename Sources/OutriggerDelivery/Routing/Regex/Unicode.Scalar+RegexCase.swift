/// Simple (one scalar to one scalar) case mappings for case-insensitive matching.
///
/// RE2 folds case with Unicode's simple case folding; the standard library exposes the
/// simple lowercase and uppercase mappings instead, which agree for nearly every scalar.
/// Multi-scalar mappings (such as `İ` to `i̇`) are ignored, as simple folding does.
extension Unicode.Scalar {
    /// The scalar that stands for this scalar's case class: its lowercase form when that is
    /// a single scalar, itself otherwise.
    var regexCaseFolded: Unicode.Scalar {
        if value < 0x80 {
            return ("A"..."Z").contains(self) ? Unicode.Scalar(value + 0x20)! : self
        }
        return Self.single(properties.lowercaseMapping) ?? self
    }

    /// The scalar's uppercase form when that is a single scalar, itself otherwise.
    var regexUppercased: Unicode.Scalar {
        if value < 0x80 {
            return ("a"..."z").contains(self) ? Unicode.Scalar(value - 0x20)! : self
        }
        return Self.single(properties.uppercaseMapping) ?? self
    }

    /// Whether a case-insensitive pattern must compare this scalar by its fold: it has a
    /// lowercase or uppercase counterpart.
    var regexHasCaseVariants: Bool {
        regexCaseFolded != self || regexUppercased != self
    }

    private static func single(_ mapping: String) -> Unicode.Scalar? {
        var scalars = mapping.unicodeScalars.makeIterator()
        guard let first = scalars.next(), scalars.next() == nil else { return nil }
        return first
    }
}
