import Foundation

/// A time zone from the system's tz database, answering what cron needs: the wall-clock time of an
/// instant, and the instants of a wall-clock time (none in a skipped hour, two in a repeated one).
///
/// Times are whole seconds since the Unix epoch; a wall-clock time is counted the same way, as if its zone
/// were UTC.
public struct CronZone: Sendable, Hashable, CustomStringConvertible {
    private let zone: TimeZone

    /// The zone's tz database name, such as `Europe/Berlin` or `UTC`.
    public var description: String { zone.identifier }

    /// UTC.
    public static let utc = CronZone(zone: TimeZone(identifier: "UTC")!)

    private init(zone: TimeZone) { self.zone = zone }

    /// The zone named `identifier` in the tz database.
    ///
    /// - Throws: ``CronSpecError`` when the database has no such zone.
    public init(_ identifier: String) throws(CronSpecError) {
        // Foundation also accepts abbreviations and offsets (`CET`, `GMT+2`); a cron entry names a zone.
        guard identifier == "UTC" || identifier.contains("/"), let zone = TimeZone(identifier: identifier) else {
            throw CronSpecError("time zone \"\(identifier)\" is not in the tz database (such as Europe/Berlin, or UTC)")
        }
        self.zone = zone
    }

    /// The offset from UTC, in seconds, at `instant`.
    func offset(at instant: Int64) -> Int64 {
        Int64(zone.secondsFromGMT(for: Date(timeIntervalSince1970: Double(instant))))
    }

    /// The wall-clock time at `instant`.
    func wallTime(at instant: Int64) -> Int64 { instant + offset(at: instant) }

    /// The first instant whose wall-clock time is `wall`; for a wall-clock time that a change to summer
    /// time skips, the instant of that change (when the first wall-clock time after the gap begins).
    func firstInstant(of wall: Int64) -> Int64 {
        // Offsets a day either side: no zone changes its offset twice within two days.
        let before = offset(at: wall - 86_400)
        let after = offset(at: wall + 86_400)
        let candidates = [wall - before, wall - after].filter { offset(at: $0) == wall - $0 }
        if let first = candidates.min() { return first }
        // In a gap: the change lies between the two readings; find its second.
        var low = min(wall - before, wall - after)
        var high = max(wall - before, wall - after)
        let offsetBefore = offset(at: low)
        while high - low > 1 {
            let middle = low + (high - low) / 2
            if offset(at: middle) == offsetBefore { low = middle } else { high = middle }
        }
        return high
    }
}
