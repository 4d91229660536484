/// When to try again an operation that the filesystem keeps failing (disk full, out of descriptors, a
/// read-only or failing device): from half a second, doubling, to 30 seconds between tries.
public struct FaultBackoff: Sendable {
    /// When to try again; `nil` while nothing fails.
    public private(set) var retryAt: Timestamp?
    private var delay: Double = 0

    static let firstDelay = 0.5
    static let longestDelay = 30.0

    /// A backoff with nothing failing.
    public init() {}

    /// Records a failed try at `now`: the next waits twice as long as the last, up to 30 seconds.
    public mutating func failed(now: Timestamp) {
        delay = delay == 0 ? FaultBackoff.firstDelay : min(delay * 2, FaultBackoff.longestDelay)
        retryAt = now.adding(seconds: delay)
    }

    /// The wait is over and a try is about to be made: no retry time until it fails again, when the wait
    /// is twice as long as the last.
    public mutating func retrying() {
        retryAt = nil
    }

    /// Records a successful try.
    public mutating func succeeded() {
        retryAt = nil
        delay = 0
    }
}
