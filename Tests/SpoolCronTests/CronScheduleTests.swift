import SpoolCore
import SpoolCron
import Testing

/// Next-fire computation for every form, in UTC and across the DST changes of two zones.
struct CronScheduleTests {
    /// The next `count` ticks after `start`, as RFC 3339 UTC text.
    private func ticks(_ spec: String, _ zone: String = "UTC", after start: String, count: Int) throws -> [String] {
        let schedule = CronSchedule(spec: try CronSpec(spec), zone: try CronZone(zone))
        return schedule.ticks(after: try #require(Timestamp(rfc3339: start)), count: count).map(\.rfc3339)
    }

    @Test func sixFieldsWithSecondsFireEveryThreeSeconds() throws {
        #expect(
            try ticks("*/3 * * * * *", after: "2026-03-01T10:00:58Z", count: 3)
                == ["2026-03-01T10:01:00.000Z", "2026-03-01T10:01:03.000Z", "2026-03-01T10:01:06.000Z"]
        )
        #expect(
            try ticks("1 */1 * * * *", after: "2026-03-01T10:00:01Z", count: 2)
                == ["2026-03-01T10:01:01.000Z", "2026-03-01T10:02:01.000Z"]
        )
    }

    @Test func fiveFieldsFireAtSecondZero() throws {
        #expect(
            try ticks("*/15 9-10 * * *", after: "2026-03-01T10:40:00Z", count: 3)
                == ["2026-03-01T10:45:00.000Z", "2026-03-02T09:00:00.000Z", "2026-03-02T09:15:00.000Z"]
        )
    }

    @Test func shorthands() throws {
        let after = "2026-02-27T13:14:15Z"
        #expect(try ticks("@hourly", after: after, count: 1) == ["2026-02-27T14:00:00.000Z"])
        #expect(try ticks("@daily", after: after, count: 1) == ["2026-02-28T00:00:00.000Z"])
        // 2026-02-27 is a Friday.
        #expect(try ticks("@weekly", after: after, count: 1) == ["2026-03-01T00:00:00.000Z"])
        #expect(try ticks("@monthly", after: after, count: 1) == ["2026-03-01T00:00:00.000Z"])
        #expect(try ticks("@yearly", after: after, count: 1) == ["2027-01-01T00:00:00.000Z"])
    }

    @Test func everyIsAlignedToTheEpochWhateverTheZone() throws {
        let expected = ["2026-03-01T10:00:10.000Z", "2026-03-01T10:00:20.000Z"]
        #expect(try ticks("@every 10s", after: "2026-03-01T10:00:03.500Z", count: 2) == expected)
        #expect(try ticks("@every 10s", "Asia/Kolkata", after: "2026-03-01T10:00:03.500Z", count: 2) == expected)
        #expect(try ticks("@every 1h30m", after: "2026-03-01T10:00:00Z", count: 1) == ["2026-03-01T10:30:00.000Z"])
    }

    @Test func bothDayFieldsRestrictedMeansEither() throws {
        // The 13th, or any Friday: 2026-03-06 is a Friday, 2026-03-13 a Friday too.
        #expect(
            try ticks("0 0 13 * fri", after: "2026-03-01T00:00:00Z", count: 3)
                == ["2026-03-06T00:00:00.000Z", "2026-03-13T00:00:00.000Z", "2026-03-20T00:00:00.000Z"]
        )
        // With `?`, the day of week alone decides.
        #expect(try ticks("0 0 0 ? * MON", after: "2026-03-01T00:00:00Z", count: 1) == ["2026-03-02T00:00:00.000Z"])
        #expect(try ticks("0 0 * * 7", after: "2026-03-02T00:00:00Z", count: 1) == ["2026-03-08T00:00:00.000Z"])
    }

    @Test func aDayThatNeverComesNeverFires() throws {
        #expect(try ticks("0 0 30 2 *", after: "2026-01-01T00:00:00Z", count: 1).isEmpty)
        #expect(try ticks("0 0 29 2 *", after: "2026-01-01T00:00:00Z", count: 1) == ["2028-02-29T00:00:00.000Z"])
    }

    @Test func theEndOfTimeEndsTheTicks() throws {
        #expect(try ticks("@yearly", after: "9999-06-01T00:00:00Z", count: 1).isEmpty)
        #expect(try ticks("@every 1d", after: "9999-12-31T00:00:00Z", count: 2) == [])
    }

    @Test func berlinsSkippedHourFiresOnceAtTheChange() throws {
        // 2026-03-29: 02:00 CET becomes 03:00 CEST (01:00 UTC).
        #expect(
            try ticks("30 2 * * *", "Europe/Berlin", after: "2026-03-28T12:00:00Z", count: 3)
                == ["2026-03-29T01:00:00.000Z", "2026-03-30T00:30:00.000Z", "2026-03-31T00:30:00.000Z"]
        )
        // Every quarter hour: 01:45 CET, then the whole skipped hour as one tick at 03:00 CEST, then 03:15.
        #expect(
            try ticks("*/15 * * * *", "Europe/Berlin", after: "2026-03-29T00:40:00Z", count: 4)
                == [
                    "2026-03-29T00:45:00.000Z", "2026-03-29T01:00:00.000Z", "2026-03-29T01:15:00.000Z",
                    "2026-03-29T01:30:00.000Z",
                ]
        )
    }

    @Test func berlinsRepeatedHourFiresOnce() throws {
        // 2026-10-25: 03:00 CEST becomes 02:00 CET (01:00 UTC); 02:30 happens at 00:30 and at 01:30 UTC.
        #expect(
            try ticks("30 2 * * *", "Europe/Berlin", after: "2026-10-24T12:00:00Z", count: 2)
                == ["2026-10-25T00:30:00.000Z", "2026-10-26T01:30:00.000Z"]
        )
        // Hourly: 02:00 CEST, then 03:00 CET (two hours later), never the second 02:00.
        #expect(
            try ticks("0 * * * *", "Europe/Berlin", after: "2026-10-24T23:30:00Z", count: 3)
                == ["2026-10-25T00:00:00.000Z", "2026-10-25T02:00:00.000Z", "2026-10-25T03:00:00.000Z"]
        )
        // Asked from inside the second pass: nothing more until 03:00 CET.
        #expect(
            try ticks("*/20 * * * *", "Europe/Berlin", after: "2026-10-25T01:10:00Z", count: 1)
                == ["2026-10-25T02:00:00.000Z"]
        )
    }

    @Test func newYorksChangesToo() throws {
        // 2026-03-08: 02:00 EST becomes 03:00 EDT (07:00 UTC). 2026-11-01: 02:00 EDT becomes 01:00 EST (06:00 UTC).
        #expect(
            try ticks("0 30 2 * * *", "America/New_York", after: "2026-03-07T12:00:00Z", count: 2)
                == ["2026-03-08T07:00:00.000Z", "2026-03-09T06:30:00.000Z"]
        )
        #expect(
            try ticks("0 30 1 * * *", "America/New_York", after: "2026-10-31T12:00:00Z", count: 2)
                == ["2026-11-01T05:30:00.000Z", "2026-11-02T06:30:00.000Z"]
        )
        // A daily 09:00 keeps 09:00 local on both sides of the change.
        #expect(
            try ticks("0 9 * * *", "America/New_York", after: "2026-03-07T00:00:00Z", count: 2)
                == ["2026-03-07T14:00:00.000Z", "2026-03-08T13:00:00.000Z"]
        )
    }
}
