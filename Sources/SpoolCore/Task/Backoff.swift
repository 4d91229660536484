/// How long to wait before retrying a failed attempt.
public enum Backoff: Sendable, Hashable {
    /// Seconds to wait after the 1st, 2nd, ... failure; the last entry repeats.
    case table([Double])
    /// `initial * factor^(n-1)` seconds after the n-th failure, at most `max`, spread by ±`jitter` (a fraction).
    case exponential(initial: Double, factor: Double, max: Double, jitter: Double)
    /// Retry windows one after the other, such as "every 3 min for an hour, then every 10 min for a day":
    /// each tier gives `ceil(for / every)` retries `every` seconds apart. When the last tier is spent, the
    /// task gives up.
    case tiers([BackoffTier])

    /// The default: exponential from 5 s, doubling, at most an hour, ±20 % jitter.
    public static let standard = Backoff.exponential(initial: 5, factor: 2, max: 3600, jitter: 0.2)

    /// Seconds to wait after failed attempt number `attempt` (1-based), or `nil` when the schedule allows
    /// no more retries.
    public func delay(afterAttempt attempt: Int, using generator: inout some RandomNumberGenerator) -> Double? {
        switch self {
        case .table(let delays):
            guard !delays.isEmpty else { return 0 }
            return delays[min(max(attempt, 1), delays.count) - 1]
        case .exponential(let initial, let factor, let maximum, let jitter):
            var value = initial
            for _ in 1..<max(attempt, 1) where value < maximum { value *= factor }
            value = min(value, maximum)
            if jitter > 0 { value *= 1 + Double.random(in: -jitter...jitter, using: &generator) }
            return min(max(value, 0), maximum)
        case .tiers(let tiers):
            var remaining = max(attempt, 1)
            for tier in tiers {
                if remaining <= tier.retries { return tier.every }
                remaining -= tier.retries
            }
            return nil
        }
    }
}

/// One window of a ``Backoff/tiers(_:)`` schedule.
public struct BackoffTier: Sendable, Hashable {
    /// Seconds between retries in this window.
    public var every: Double
    /// How long, in seconds, the window lasts.
    public var duration: Double

    /// A window of retries `every` seconds apart, lasting `duration` seconds.
    public init(every: Double, for duration: Double) {
        self.every = every
        self.duration = duration
    }

    /// Retries made in this window: at least one.
    public var retries: Int { max(1, Int((duration / every).rounded(.up))) }
}
