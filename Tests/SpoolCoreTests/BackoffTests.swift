import SpoolCore
import Testing

@Suite struct BackoffTests {
    @Test func tiersGiveTheirRetriesThenStop() throws {
        // Every 3 min for an hour, every 10 min for a day, hourly for 3 days.
        let backoff = Backoff.tiers([
            BackoffTier(every: 180, for: 3600), BackoffTier(every: 600, for: 86400),
            BackoffTier(every: 3600, for: 3 * 86400),
        ])
        var generator = SystemRandomNumberGenerator()
        #expect(backoff.delay(afterAttempt: 1, using: &generator) == 180)
        #expect(backoff.delay(afterAttempt: 20, using: &generator) == 180)
        #expect(backoff.delay(afterAttempt: 21, using: &generator) == 600)
        #expect(backoff.delay(afterAttempt: 20 + 144, using: &generator) == 600)
        #expect(backoff.delay(afterAttempt: 20 + 144 + 1, using: &generator) == 3600)
        #expect(backoff.delay(afterAttempt: 20 + 144 + 72, using: &generator) == 3600)
        #expect(backoff.delay(afterAttempt: 20 + 144 + 72 + 1, using: &generator) == nil)
    }

    @Test func tiersRoundTripThroughTheTaskFile() throws {
        let text =
            #"{"id":"a","type":"t","backoff":{"strategy":"tiers","tiers":[{"every":180,"for":3600},{"every":600,"for":86400}]}}"#
        let record = try TaskRecord.parse(Array(text.utf8), now: Timestamp(milliseconds: 0), makeID: { "x" })
        #expect(record.backoff == .tiers([BackoffTier(every: 180, for: 3600), BackoffTier(every: 600, for: 86400)]))
        #expect(
            try TaskRecord.parse(record.encoded, now: Timestamp(milliseconds: 0), makeID: { "x" }).backoff
                == record.backoff
        )
        #expect(throws: TaskValidationError.self) {
            try TaskRecord.parse(
                Array(#"{"id":"a","type":"t","backoff":{"strategy":"tiers","tiers":[{"every":0,"for":1}]}}"#.utf8),
                now: Timestamp(milliseconds: 0),
                makeID: { "x" }
            )
        }
    }
}
