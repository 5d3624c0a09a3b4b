import Foundation

/// The time zone a cron schedule's fields are read in: a UTC offset for every instant, and the
/// instants where that offset changes (daylight saving time).
///
/// `.local` is the sidecar process's zone (`TZ`, else `/etc/localtime`; UTC in containers), the
/// one Dapr reads schedules in; a `CRON_TZ=Area/City` prefix picks another by its IANA name.
/// Tests build zones with fixed rules through ``init(identifier:offset:nextTransition:)``.
public struct CronTimeZone: Sendable, CustomStringConvertible {
    /// The zone's name, e.g. `UTC`, `America/New_York`.
    public let identifier: String
    private let offsetAt: @Sendable (Int64) -> Int
    private let transitionAfter: @Sendable (Int64) -> Int64?

    /// A zone from its rules: `offset(t)` is the number of seconds east of UTC at Unix time `t`;
    /// `nextTransition(t)` is the first Unix time after `t` whose offset differs from `t`'s
    /// (`nil` when the offset never changes again).
    public init(identifier: String, offset: @escaping @Sendable (Int64) -> Int, nextTransition: @escaping @Sendable (Int64) -> Int64?) {
        self.identifier = identifier
        self.offsetAt = offset
        self.transitionAfter = nextTransition
    }

    /// Coordinated Universal Time.
    public static let utc = CronTimeZone.fixed(secondsEast: 0, identifier: "UTC")

    /// A zone whose offset never changes.
    public static func fixed(secondsEast: Int, identifier: String) -> CronTimeZone {
        CronTimeZone(identifier: identifier, offset: { _ in secondsEast }, nextTransition: { _ in nil })
    }

    /// The zone the process runs in, as it is now.
    public static var local: CronTimeZone { CronTimeZone(TimeZone.current) }

    /// The IANA zone `identifier` (`Europe/Berlin`); `nil` when the system does not know it.
    public init?(identifier: String) {
        guard let zone = TimeZone(identifier: identifier) else { return nil }
        self.init(zone)
    }

    private init(_ zone: TimeZone) {
        self.init(
            identifier: zone.identifier,
            offset: { zone.secondsFromGMT(for: Date(timeIntervalSince1970: Double($0))) },
            nextTransition: { seconds in
                zone.nextDaylightSavingTimeTransition(after: Date(timeIntervalSince1970: Double(seconds)))
                    .map { Int64($0.timeIntervalSince1970.rounded(.up)) }
            })
    }

    /// Seconds east of UTC at Unix time `seconds`.
    public func offset(at seconds: Int64) -> Int { offsetAt(seconds) }

    /// The first Unix time after `seconds` where the offset changes.
    public func nextTransition(after seconds: Int64) -> Int64? {
        transitionAfter(seconds).flatMap { $0 > seconds ? $0 : nil }
    }

    /// The zone's name.
    public var description: String { identifier }
}
