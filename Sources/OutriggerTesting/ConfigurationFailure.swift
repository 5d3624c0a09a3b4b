import OutriggerCore

/// The metadata field a component's start-up error names, or nil when `body` did not fail
/// with a ``ComponentConfigurationError``: how component tests check "a wrong value names its field".
public func failingField(_ body: () throws -> Void) -> String? {
    do {
        try body()
        return nil
    } catch let error as ComponentConfigurationError {
        return error.field
    } catch {
        return nil
    }
}
