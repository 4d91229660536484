import SpoolCore
import Testing

/// RFC 3339 allows second 60 only where a leap second can fall: the last minute of a UTC day.
@Suite struct LeapSecondTests {
    @Test(arguments: [
        ("2026-06-30T23:59:60Z", true), ("2026-07-01T01:59:60+02:00", true), ("2026-06-30T18:59:60-05:00", true),
        ("2026-06-30T22:05:60Z", false), ("2026-06-30T23:59:60+01:00", false), ("2026-06-30T23:58:60Z", false),
        ("2026-06-30T23:59:61Z", false),
    ])
    func secondSixtyIsATimeOnlyAtTheEndOfAUTCDay(text: String, valid: Bool) {
        #expect((Timestamp(rfc3339: text) != nil) == valid, "\(text)")
    }
}
