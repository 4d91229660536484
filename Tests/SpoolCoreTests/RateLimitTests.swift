import SpoolCore
import SpoolTestSupport
import Testing

/// The token bucket behind a queue's rate limit, shared through `ratelimits/<queue>`.
struct RateLimitTests {
    @Test func aBucketGivesItsBurstThenOneTokenPerInterval() throws {
        try TemporarySpool.with { directory in
            let clock = ManualClock()
            let spool = try directory.open(clock: clock)
            let limit = RateLimit(perSecond: 2, burst: 3)
            for _ in 0..<3 {
                #expect(try spool.takeClaimToken(queue: "mail", limit: limit, now: clock.now) == .granted)
            }
            #expect(
                try spool.takeClaimToken(queue: "mail", limit: limit, now: clock.now)
                    == .wait(until: clock.now.adding(seconds: 0.5))
            )
            clock.advance(by: 0.5)
            #expect(try spool.takeClaimToken(queue: "mail", limit: limit, now: clock.now) == .granted)
            #expect(try spool.takeClaimToken(queue: "mail", limit: limit, now: clock.now) != .granted)
            // Another queue has its own bucket; a long pause refills no more than the burst.
            #expect(try spool.takeClaimToken(queue: "other", limit: limit, now: clock.now) == .granted)
            clock.advance(by: 3600)
            for _ in 0..<3 {
                #expect(try spool.takeClaimToken(queue: "mail", limit: limit, now: clock.now) == .granted)
            }
            #expect(try spool.takeClaimToken(queue: "mail", limit: limit, now: clock.now) != .granted)
        }
    }

    @Test func aTokenAlmostRefilledIsWaitedForAtLeastAMillisecond() throws {
        try TemporarySpool.with { directory in
            let clock = ManualClock()
            let spool = try directory.open(clock: clock)
            let limit = RateLimit(perSecond: 3, burst: 1)
            #expect(try spool.takeClaimToken(queue: "q", limit: limit, now: clock.now) == .granted)
            // 0.333 s refills 0.999 of a token: the rest is due in a third of a millisecond, rounded up, so
            // that a waiter never waits for a time that has come already.
            clock.advance(by: 0.333)
            #expect(
                try spool.takeClaimToken(queue: "q", limit: limit, now: clock.now)
                    == .wait(until: clock.now.adding(milliseconds: 1))
            )
            clock.advance(by: 0.001)
            #expect(try spool.takeClaimToken(queue: "q", limit: limit, now: clock.now) == .granted)
        }
    }

    @Test func twoSpoolsOnOneFolderShareTheBucket() throws {
        try TemporarySpool.with { directory in
            let clock = ManualClock()
            let first = try directory.open(clock: clock)
            let second = try directory.open(clock: clock)
            let limit = RateLimit(perSecond: 1, burst: 2)
            #expect(try first.takeClaimToken(queue: "q", limit: limit, now: clock.now) == .granted)
            #expect(try second.takeClaimToken(queue: "q", limit: limit, now: clock.now) == .granted)
            #expect(try first.takeClaimToken(queue: "q", limit: limit, now: clock.now) != .granted)
        }
    }

    @Test func aDamagedBucketStartsFull() throws {
        try TemporarySpool.with { directory in
            let clock = ManualClock()
            let spool = try directory.open(clock: clock)
            SpoolFiles.makeFolder("\(directory.path)/ratelimits")
            try SpoolFiles.write("nonsense", to: "\(directory.path)/ratelimits/q")
            #expect(
                try spool.takeClaimToken(queue: "q", limit: RateLimit(perSecond: 1, burst: 1), now: clock.now)
                    == .granted
            )
            #expect(
                try spool.takeClaimToken(queue: "q", limit: RateLimit(perSecond: 1, burst: 1), now: clock.now)
                    != .granted
            )
        }
    }
}
