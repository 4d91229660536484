import SpoolCore

/// When to try again an operation that the filesystem keeps failing (disk full, out of descriptors), and
/// when to say so: the first failure and the recovery are logged, the failures between at most once a
/// minute, and the retries are spaced from half a second, doubling, to 30 seconds.
struct FaultBackoff {
    /// When to try again; `nil` while nothing fails.
    private(set) var retryAt: Timestamp?
    private var delay: Double = 0
    private var lastReport: Timestamp?

    static let firstDelay = 0.5
    static let longestDelay = 30.0
    static let reportInterval: Int64 = 60_000

    /// What to log after an attempt.
    enum Report: Equatable {
        case nothing
        /// The first failure of a streak, or a reminder that it goes on.
        case failing
        /// The first success after failures.
        case recovered
    }

    /// Records a failed attempt at `now`.
    mutating func failed(now: Timestamp) -> Report {
        delay = delay == 0 ? FaultBackoff.firstDelay : min(delay * 2, FaultBackoff.longestDelay)
        retryAt = now.adding(seconds: delay)
        if let last = lastReport, now.milliseconds - last.milliseconds < FaultBackoff.reportInterval {
            return .nothing
        }
        lastReport = now
        return .failing
    }

    /// Records a successful attempt.
    mutating func succeeded() -> Report {
        defer {
            retryAt = nil
            delay = 0
            lastReport = nil
        }
        return retryAt == nil ? .nothing : .recovered
    }
}
