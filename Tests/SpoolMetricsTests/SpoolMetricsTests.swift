import SpoolCore
import SpoolMetrics
import SpoolTestSupport
import Testing

/// The gauges of what a spool holds count it at most once per refresh interval of the spool's clock, so that
/// frequent scrapes do not walk a large spool; counters move with every event meanwhile.
struct SpoolMetricsTests {
    @Test func theSpoolIsCountedAtMostOncePerRefreshInterval() throws {
        try TemporarySpool.with { directory in
            let clock = ManualClock()
            let metrics = SpoolMetrics(refreshInterval: 5)
            #expect(try Exposition(metrics.exposition())["spool_tasks", ["queue": "mail", "state": "active"]] == nil)
            let spool = try Spool(root: directory.path, clock: clock, metricsFactory: metrics.factory)
            metrics.observe(spool)
            for _ in 0..<2 { try spool.enqueue(NewTask(queue: "mail", type: "t")) }
            let active = ["queue": "mail", "state": "active"]
            let enqueued = ["queue": "mail", "source": "library"]
            var exposition = try Exposition(metrics.exposition())
            #expect(exposition["spool_tasks", active] == 2)
            #expect(exposition.types[Exposition.key("spool_tasks", active)] == "gauge")

            try spool.enqueue(NewTask(queue: "mail", type: "t"))
            try SpoolFiles.write("{}", to: "\(directory.path)/incoming/waiting.json")
            clock.advance(by: 4.999)
            exposition = try Exposition(metrics.exposition())
            #expect(exposition["spool_tasks", active] == 2, "the last count, within the interval")
            #expect(exposition["spool_incoming"] == 0)
            #expect(exposition["spool_tasks_enqueued_total", enqueued] == 3, "counters are not held back")

            clock.advance(by: 0.001)
            exposition = try Exposition(metrics.exposition())
            #expect(exposition["spool_tasks", active] == 3, "counted again once the interval passed")
            #expect(exposition["spool_incoming"] == 1)
            #expect(exposition["spool_tasks", ["queue": "mail", "state": "done"]] == 0, "every state is shown")
        }
    }
}
