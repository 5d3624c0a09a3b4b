/// A failure of the chaos runner itself (a broker that would not start, a sidecar that did
/// not become healthy), as opposed to a finding about delivery.
public struct ChaosError: Error, CustomStringConvertible {
    /// What went wrong, for the console.
    public var description: String

    /// An error saying `description`.
    public init(_ description: String) {
        self.description = description
    }
}
