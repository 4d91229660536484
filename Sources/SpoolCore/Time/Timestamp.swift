/// A point in time in whole milliseconds since the Unix epoch, UTC: the unit of every due time, lease and
/// deadline in a spool.
public struct Timestamp: Sendable, Hashable, Comparable, CustomStringConvertible {
    /// Milliseconds since 1970-01-01T00:00:00Z.
    public var milliseconds: Int64

    /// Creates a timestamp from milliseconds since the Unix epoch.
    public init(milliseconds: Int64) {
        self.milliseconds = milliseconds
    }

    /// Creates a timestamp from (possibly fractional) seconds since the Unix epoch, rounded to milliseconds.
    public init(seconds: Double) {
        milliseconds = Int64((seconds * 1000).rounded())
    }

    /// This time moved by `seconds`, rounded to milliseconds.
    public func adding(seconds: Double) -> Timestamp {
        Timestamp(milliseconds: milliseconds + Int64((seconds * 1000).rounded()))
    }

    /// This time moved by `milliseconds`.
    public func adding(milliseconds delta: Int64) -> Timestamp {
        Timestamp(milliseconds: milliseconds + delta)
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
