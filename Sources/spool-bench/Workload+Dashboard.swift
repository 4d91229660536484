import Hummingbird
import HummingbirdTesting
import SpoolConfig
import SpoolCore
import SpoolHTTP

extension BenchRun {
    /// DASHBOARD: the server time of the dashboard's pages on the spool of INSPECT (1,000,000 tasks), in
    /// process: each request goes through the router and every middleware (headers, session, errors) as a
    /// connection's would, without the network. The overview draws from the latest sample of the counts,
    /// which the server's sampler takes in the background; what one sample costs is given too.
    func measureDashboard() async throws -> [BenchResult] {
        try await settleDown()
        let (spool, count, _) = try inspectionSpool("dashboard")
        let history = StatsHistory()
        let sampleStart = BenchClock.microseconds()
        history.record(spool.stats())
        let sampleSeconds = BenchClock.seconds(since: sampleStart)
        let dead =
            spool.query(
                {
                    var query = TaskQuery()
                    query.states = [.dead]
                    query.limit = 1
                    return query
                }()
            ).tasks.first?.id ?? "none"
        let router = HTTPServer.router(
            spool: spool,
            settings: APISettings(access: APIAccess(open: true)),
            configuredCron: { [] },
            history: history
        )
        let pages: [(label: String, uri: String)] = [
            ("overview", "/dashboard"),
            ("list state=dead&error=refused (a page of 50)", "/dashboard/tasks?state=dead&error=refused"),
            ("list state=dead&error=nowhere (reads every dead task)", "/dashboard/tasks?state=dead&error=nowhere"),
            ("list, no filter (the first 50 due)", "/dashboard/tasks"),
            ("task page (a dead task)", "/dashboard/tasks/\(dead)"),
        ]
        let runs = quick ? 5 : 21
        let timings = try await Application(router: router).test(.router) { client in
            // Open on loopback: the first answer gives the browser its session.
            let first = try await client.execute(uri: "/dashboard", method: .get)
            let cookie = first.headers[.setCookie]?.split(separator: ";").first.map(String.init) ?? ""
            var timings: [[Double]] = []
            for page in pages {
                var sample: [Double] = []
                for run in 0..<(runs + 2) {
                    let start = BenchClock.microseconds()
                    let response = try await client.execute(uri: page.uri, method: .get, headers: [.cookie: cookie])
                    let milliseconds = Double(BenchClock.microseconds() - start) / 1000
                    guard response.status == .ok else {
                        throw BenchError("\(page.uri): \(response.status)")
                    }
                    if run >= 2 { sample.append(milliseconds) }  // The first two warm the caches.
                }
                timings.append(sample)
            }
            return timings
        }
        var results = [
            BenchResult(
                workload: "DASHBOARD",
                setting: "sample of the counts (in the background), \(count) tasks",
                summary: Figure.milliseconds(sampleSeconds * 1000),
                [("n", .integer(Int64(count))), ("ms", .rounded(sampleSeconds * 1000, 1))]
            )
        ]
        for (page, sample) in zip(pages, timings) {
            let figures = Percentiles(sample)
            results.append(
                BenchResult(
                    workload: "DASHBOARD",
                    setting: "\(page.label), \(count) tasks",
                    summary:
                        "\(Figure.milliseconds(figures.at(0.5))) median, \(Figure.milliseconds(figures.maximum)) max",
                    [
                        ("n", .integer(Int64(count))), ("uri", .string(page.uri)), ("runs", .integer(Int64(runs))),
                        ("median_ms", .rounded(figures.at(0.5), 2)), ("max_ms", .rounded(figures.maximum, 2)),
                    ]
                )
            )
        }
        return results
    }
}
