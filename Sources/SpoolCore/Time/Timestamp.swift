/// A point in time in whole milliseconds since the Unix epoch, UTC: the unit of every due time, lease and
/// deadline in a spool.
public struct Timestamp: Sendable, Hashable, Comparable, CustomStringConvertible {
    /// Milliseconds since 1970-01-01T00:00:00Z.
    public var milliseconds: Int64

    /// Creates a timestamp from milliseconds since the Unix epoch.
    public init(milliseconds: Int64) {
        self.milliseconds = milliseconds
    }

    /// The earliest time Spool writes: 0000-01-01T00:00:00.000Z, the first instant of a 4-digit year.
    public static let earliest = Timestamp(milliseconds: -62_167_219_200_000)
    /// The latest time Spool writes: 9999-12-31T23:59:59.999Z, the last instant of a 4-digit year, so that
    /// every time has an RFC 3339 form and every day an 8-digit folder name.
    public static let latest = Timestamp(milliseconds: 253_402_300_799_999)

    /// Creates a timestamp from (possibly fractional) seconds since the Unix epoch, rounded to milliseconds
    /// and held between ``earliest`` and ``latest`` (`NaN` counts as the epoch).
    public init(seconds: Double) {
        milliseconds = Timestamp.clamped(milliseconds: seconds * 1000)
    }

    /// This time moved by `seconds`, rounded to milliseconds; the arithmetic saturates at ``earliest`` and
    /// ``latest`` instead of overflowing, whatever `seconds` is (`NaN` moves nothing).
    public func adding(seconds: Double) -> Timestamp {
        guard !seconds.isNaN else { return self }
        return Timestamp(milliseconds: Timestamp.clamped(milliseconds: Double(milliseconds) + seconds * 1000))
    }

    /// This time moved by `milliseconds`, saturating at ``earliest`` and ``latest``.
    public func adding(milliseconds delta: Int64) -> Timestamp {
        let (sum, overflow) = milliseconds.addingReportingOverflow(delta)
        let total = overflow ? (delta > 0 ? Int64.max : Int64.min) : sum
        return Timestamp(milliseconds: min(max(total, Timestamp.earliest.milliseconds), Timestamp.latest.milliseconds))
    }

    /// `milliseconds` rounded and held between ``earliest`` and ``latest``.
    private static func clamped(milliseconds: Double) -> Int64 {
        guard !milliseconds.isNaN else { return 0 }
        let bounded = min(
            max(milliseconds.rounded(), Double(earliest.milliseconds)),
            Double(latest.milliseconds)
        )
        return Int64(bounded)
    }

    /// The start of the UTC minute holding this time.
    public var minuteStart: Timestamp {
        Timestamp(milliseconds: milliseconds - milliseconds.floorModulo(60_000))
    }

    /// The start of the next UTC minute.
    public var nextMinuteStart: Timestamp {
        minuteStart.adding(milliseconds: 60_000)
    }

    public static func < (lhs: Timestamp, rhs: Timestamp) -> Bool {
        lhs.milliseconds < rhs.milliseconds
    }

    public var description: String { rfc3339 }
}

extension Int64 {
    /// The remainder of floored division: never negative for a positive divisor.
    func floorModulo(_ divisor: Int64) -> Int64 {
        let remainder = self % divisor
        return remainder < 0 ? remainder + divisor : remainder
    }

    /// The quotient of floored division.
    func floorDivide(_ divisor: Int64) -> Int64 {
        (self - floorModulo(divisor)) / divisor
    }
}
