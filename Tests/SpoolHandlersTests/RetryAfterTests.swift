import SpoolCore
import Testing

@testable import SpoolHandlers

@Suite("RetryAfter")
struct RetryAfterTests {
    /// 2026-11-21T10:00:30Z.
    private let now = Timestamp(milliseconds: 1_795_255_230_000)

    @Test func deltaSeconds() {
        #expect(RetryAfter.seconds("120", now: now) == 120)
        #expect(RetryAfter.seconds(" 0 ", now: now) == 0)
    }

    @Test(arguments: [
        "Sat, 21 Nov 2026 10:02:30 GMT",
        "Saturday, 21-Nov-26 10:02:30 GMT",
        "Sat Nov 21 10:02:30 2026",
    ])
    func theThreeDateFormats(date: String) {
        #expect(RetryAfter.seconds(date, now: now) == 120)
    }

    @Test func aHugeDelayIsHeldToTheLongestATaskMayWait() {
        #expect(RetryAfter.seconds(String(repeating: "9", count: 400), now: now) == TaskRecord.maximumDelay)
        #expect(RetryAfter.seconds("99999999999999999999", now: now) == TaskRecord.maximumDelay)
        #expect(RetryAfter.seconds("Fri, 31 Dec 9999 23:59:59 GMT", now: now) == TaskRecord.maximumDelay)
    }

    @Test func pastDateMeansNow() {
        #expect(RetryAfter.seconds("Sun, 06 Nov 1994 08:49:37 GMT", now: now) == 0)
    }

    @Test(arguments: ["", "-5", "1.5", "soon", "Sat, 31 Nov 2026 10:02:30 GMT", "Sat, 21 Nov 2026 GMT"])
    func anythingElseIsIgnored(value: String) {
        #expect(RetryAfter.seconds(value, now: now) == nil)
    }
}
