import HTTPTypes
import Hummingbird
import SpoolConfig
import SpoolCore
import SpoolTestSupport
import Testing

@testable import SpoolHTTP

/// The dashboard's parts on their own: passwords, sessions, cookies, the history of counts and the charts.
@Suite struct DashboardPartsTests {
    @Test func passwordsAreCheckedAgainstHtpasswdAndSpoolctlHashes() {
        let check = PasswordCheck(users: [
            "ada": testUserHash, "bob": "$2b$04$bQGRoXQlyuFpx1uorG7.1OE5pZQO37EpeBrdygpt8Pd2RcARAy3YC",
        ])
        #expect(check.verify(user: "ada", password: testPassword))
        #expect(check.verify(user: "bob", password: "s3cret pass"))
        #expect(!check.verify(user: "ada", password: "s3cret pass"))
        #expect(!check.verify(user: "bob", password: testPassword))
        #expect(!check.verify(user: "carol", password: testPassword))
        #expect(!PasswordCheck(users: [:]).verify(user: "ada", password: testPassword))
    }

    @Test func sessionsEndWhenIdleOrOldAndTheLeastRecentlyUsedMakesWay() {
        let clock = ManualClock()
        let store = SessionStore(clock: clock, capacity: 2)
        let first = store.start(user: "ada")
        #expect(first.id.count == 64 && first.formToken.count == 64 && first.id != first.formToken)
        for _ in 0..<14 {
            clock.advance(by: 3000)
            #expect(store.session(id: first.id) != nil, "used within the hour")
        }
        clock.advance(by: 1300)
        #expect(store.session(id: first.id) == nil, "twelve hours after its login")

        let a = store.start(user: "a")
        clock.advance(by: 1)
        let b = store.start(user: "b")
        clock.advance(by: 1)
        _ = store.session(id: a.id)
        let c = store.start(user: "c")
        #expect(store.session(id: b.id) == nil, "the least recently used made way")
        #expect(store.session(id: a.id)?.user == "a" && store.session(id: c.id)?.user == "c")
        store.setFlash("done", for: a.id)
        #expect(store.takeFlash(for: a.id) == "done" && store.takeFlash(for: a.id) == nil)
        store.end(id: a.id)
        #expect(store.session(id: a.id) == nil)
    }

    @Test func cookiesAreSecureWhenAProxyOnThisHostSaysHTTPS() {
        func request(_ headers: HTTPFields) -> Request {
            Request(
                head: HTTPRequest(
                    method: .get,
                    scheme: "http",
                    authority: "localhost",
                    path: "/",
                    headerFields: headers
                ),
                body: RequestBody(buffer: ByteBuffer())
            )
        }
        #expect(!SessionCookie.isSecure(request([:]), peer: "127.0.0.1", setting: .auto))
        #expect(SessionCookie.isSecure(request([:]), peer: nil, setting: .always))
        let request = request([.xForwardedProto: "https"])
        #expect(SessionCookie.isSecure(request, peer: "127.0.0.1", setting: .auto))
        #expect(SessionCookie.isSecure(request, peer: "::1", setting: .auto))
        #expect(!SessionCookie.isSecure(request, peer: "192.0.2.7", setting: .auto), "anyone can send the header")
        #expect(!SessionCookie.isSecure(request, peer: "127.0.0.1", setting: .never))
    }

    @Test func theHistoryKeepsTheLatestPointsWithRatesPerMinute() throws {
        let clock = ManualClock()
        try TemporarySpool.with { directory in
            let spool = try directory.open(configuration: SpoolConfiguration(durability: .none), clock: clock)
            let start = clock.now
            let history = StatsHistory(capacity: 3)
            for _ in 0..<4 { try spool.enqueue(NewTask(queue: "mail", type: "send")) }
            history.record(spool.stats())
            #expect(history.points.isEmpty, "a rate needs two samples")
            clock.advance(by: 30)
            try finish(spool, queue: "mail", error: nil)
            try finish(spool, queue: "mail", error: nil)
            try finish(spool, queue: "mail", error: "refused")
            history.record(spool.stats())
            clock.advance(by: 30)
            try spool.pause("mail")
            history.record(spool.stats())
            #expect(
                history.points == [
                    .init(time: start.adding(seconds: 30), finishedPerMinute: 6, diedPerMinute: 2, oldestWait: 30),
                    .init(time: start.adding(seconds: 60), finishedPerMinute: 0, diedPerMinute: 0, oldestWait: 0),
                ],
                "a paused queue's tasks wait on purpose"
            )
            for _ in 0..<2 {
                clock.advance(by: 30)
                history.record(spool.stats())
            }
            #expect(
                history.points.map(\.time) == [60, 90, 120].map { start.adding(seconds: $0) },
                "the oldest dropped"
            )
            #expect(history.latest?.now == start.adding(seconds: 120))
        }
    }

    @Test func chartsScaleToARoundMaximumAndEscapeTheirText() {
        #expect([0, 0.3, 1, 7, 10, 11, 999, 1000].map(SVGChart.roundedUp) == [1, 0.5, 1, 10, 10, 20, 1000, 1000])
        let start = Timestamp(milliseconds: 1_795_255_230_000)
        let chart = SVGChart(
            title: "<b>waits</b>",
            values: [(start, 3), (start.adding(seconds: 5), 0), (start.adding(seconds: 10), 7)],
            style: .bars,
            tone: "throughput",
            format: DashboardFormat.amount
        )
        let svg = chart.svg
        #expect(svg.hasPrefix(#"<svg class="chart" viewBox="0 0 640 180""#) && svg.hasSuffix("</svg>"))
        #expect(svg.contains("&lt;b&gt;waits&lt;/b&gt;") && !svg.contains("<b>"))
        #expect(svg.occurrences(of: "<rect ") == 2, "no bar for zero")
        #expect(svg.contains(">10</text>") && svg.contains(">5</text>"), "the scale: 0, 5, 10")
        let empty = SVGChart(title: "t", values: [], style: .line, tone: "lateness", format: DashboardFormat.duration)
        #expect(empty.svg.contains("collecting samples"))
    }
}
