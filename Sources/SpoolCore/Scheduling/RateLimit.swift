/// A rate limit for a queue: at most `perSecond` claims a second on average, with bursts of up to
/// `burst`, across every process on the spool (see ``Spool/takeClaimToken(queue:limit:now:)``).
public struct RateLimit: Sendable, Hashable {
    /// Claims a second, on average: more than 0, at most 1,000,000.
    public var perSecond: Double
    /// Claims that may follow one another at once after a quiet spell: at least 1.
    public var burst: Int

    /// A limit of `perSecond` with bursts of `burst` (by default, a second's worth, at least 1).
    public init(perSecond: Double, burst: Int? = nil) {
        self.perSecond = min(max(perSecond, 0.000_001), 1_000_000)
        self.burst = max(burst ?? Int(self.perSecond.rounded(.up)), 1)
    }
}

/// What the token bucket of a queue answered.
public enum RateDecision: Sendable, Hashable {
    /// A claim may go ahead.
    case granted
    /// No claim before this time.
    case wait(until: Timestamp)
}
