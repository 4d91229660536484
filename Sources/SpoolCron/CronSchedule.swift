public import SpoolCore

/// A cron spec in a time zone: the ticks at which an entry fires.
///
/// Daylight saving time is handled as cron handles it: a wall-clock time that the change to summer time
/// skips fires once, at the change (all the skipped times of one gap fire as one tick); a wall-clock time
/// that the change back repeats fires once, at its first occurrence. `@every` ignores the zone.
public struct CronSchedule: Sendable, Hashable {
    /// When it fires.
    public let spec: CronSpec
    /// The zone its fields are read in.
    public let zone: CronZone

    /// How far ahead a tick is looked for: a spec that matches no day in this many years (such as
    /// `0 0 30 2 *`) never fires.
    static let horizonYears: Int64 = 8

    /// Pairs `spec` with `zone`.
    public init(spec: CronSpec, zone: CronZone = .utc) {
        self.spec = spec
        self.zone = zone
    }

    /// The first tick after `instant`, or `nil` if there is none within the horizon.
    public func next(after instant: Timestamp) -> Timestamp? {
        let seconds = instant.milliseconds >= 0 ? instant.milliseconds / 1000 : (instant.milliseconds - 999) / 1000
        return next(afterSecond: seconds).map { Timestamp(milliseconds: $0 * 1000) }
    }

    /// The first `count` ticks after `instant`.
    public func ticks(after instant: Timestamp, count: Int) -> [Timestamp] {
        var result: [Timestamp] = []
        var last = instant
        while result.count < count, let tick = next(after: last) {
            result.append(tick)
            last = tick
        }
        return result
    }

    /// The first tick after second `instant` (a tick is strictly later).
    func next(afterSecond instant: Int64) -> Int64? {
        switch spec.form {
        case .every(let interval):
            let (quotient, overflow) = (instant >= 0 ? instant / interval : (instant - interval + 1) / interval)
                .addingReportingOverflow(1)
            guard !overflow else { return nil }
            let tick = quotient.multipliedReportingOverflow(by: interval)
            return tick.overflow || tick.partialValue > CronSchedule.latest ? nil : tick.partialValue
        case .fields(let second, let minute, let hour, let day, let month, let weekday):
            let fields = Fields(second: second, minute: minute, hour: hour, day: day, month: month, weekday: weekday)
            var wall = zone.wallTime(at: instant) + 1
            let limit = wall + CronSchedule.horizonYears * 366 * 86_400
            while wall <= limit, wall <= CronSchedule.latest, let match = fields.firstMatch(from: wall, before: limit) {
                let tick = zone.firstInstant(of: match)
                if tick > CronSchedule.latest { return nil }
                if tick > instant { return tick }
                // A wall-clock time already passed: the second pass of a repeated hour, or the rest of a gap.
                wall = match + 1
            }
            return nil
        }
    }

    /// The last second a tick may fall on: 9999-12-31T23:59:59Z, the end of the task format's range.
    static let latest: Int64 = 253_402_300_799
}

/// The six fields of a spec, matched against wall-clock times.
private struct Fields {
    var second, minute, hour, day, month, weekday: CronField

    /// The first wall-clock time at or after `start` (and before `limit`) that every field allows.
    func firstMatch(from start: Int64, before limit: Int64) -> Int64? {
        var wall = start
        while wall < limit {
            let days = floorDivide(wall, 86_400)
            let (year, monthNumber, dayNumber) = Timestamp.civilDate(fromDays: days)
            let secondOfDay = wall - days * 86_400
            guard month.contains(Int(monthNumber)) else {
                // The first second of the next month.
                let next = monthNumber == 12 ? (year + 1, Int64(1)) : (year, monthNumber + 1)
                wall = Timestamp.days(fromYear: next.0, month: next.1, day: 1) * 86_400
                continue
            }
            guard matchesDay(days: days, day: dayNumber) else {
                wall = (days + 1) * 86_400
                continue
            }
            let hourNumber = secondOfDay / 3600
            guard hour.contains(Int(hourNumber)) else {
                wall = days * 86_400 + (hourNumber + 1) * 3600
                continue
            }
            let minuteNumber = secondOfDay % 3600 / 60
            guard minute.contains(Int(minuteNumber)) else {
                wall = days * 86_400 + hourNumber * 3600 + (minuteNumber + 1) * 60
                continue
            }
            guard second.contains(Int(secondOfDay % 60)) else {
                wall += 1
                continue
            }
            return wall
        }
        return nil
    }

    /// Whether a day matches the two day fields: both when one is `*`, either when both are restricted.
    private func matchesDay(days: Int64, day dayNumber: Int64) -> Bool {
        // 1970-01-01 was a Thursday.
        let weekdayNumber = Int((days % 7 + 11) % 7)
        let inMonth = day.contains(Int(dayNumber))
        let inWeek = weekday.contains(weekdayNumber)
        if day.isStar || weekday.isStar { return inMonth && inWeek }
        return inMonth || inWeek
    }

    private func floorDivide(_ value: Int64, _ divisor: Int64) -> Int64 {
        value >= 0 ? value / divisor : (value - divisor + 1) / divisor
    }
}
