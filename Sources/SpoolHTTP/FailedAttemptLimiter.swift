import SpoolCore
import Synchronization

/// Counts failed authentications per peer and holds a peer off once it has failed too often in a window:
/// ten failures within a minute block it until that minute is over. It remembers a bounded number of
/// peers, forgetting the oldest.
final class FailedAttemptLimiter: Sendable {
    private struct Record {
        var windowStart: Timestamp
        var failures: Int
    }

    /// Failures allowed in one window.
    let allowed: Int
    /// The window, in seconds.
    let window: Double
    private let clock: any WallClock
    private let records = Mutex<[String: Record]>([:])
    private static let peersRemembered = 10_000

    init(clock: any WallClock, allowed: Int = 10, window: Double = 60) {
        self.clock = clock
        self.allowed = allowed
        self.window = window
    }

    /// The seconds `peer` must still wait, or `nil` if it may try.
    func wait(for peer: String) -> Int? {
        let now = clock.now
        return records.withLock { records in
            guard let record = records[peer], record.failures >= allowed else { return nil }
            let end = record.windowStart.adding(seconds: window)
            guard end > now else {
                records[peer] = nil
                return nil
            }
            return Int((end.milliseconds - now.milliseconds + 999) / 1000)
        }
    }

    /// Notes a failure of `peer`.
    func recordFailure(of peer: String) {
        let now = clock.now
        records.withLock { records in
            if var record = records[peer], record.windowStart.adding(seconds: window) > now {
                record.failures += 1
                records[peer] = record
                return
            }
            if records.count >= Self.peersRemembered,
                let oldest = records.min(by: { $0.value.windowStart < $1.value.windowStart })?.key
            {
                records[oldest] = nil
            }
            records[peer] = Record(windowStart: now, failures: 1)
        }
    }
}
