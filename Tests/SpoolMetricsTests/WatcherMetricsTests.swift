import SpoolCore
import SpoolMetrics
import SpoolTestSupport
import SpoolWatch
import SpoolWorker
import Testing

/// A watcher counts each stretch of events it lost once, and the engine each rescan it makes.
@Suite(.timeLimit(.minutes(1))) struct WatcherMetricsTests {
    @Test func eachStretchOfLostEventsIsOneOverflow() async throws {
        try await TemporarySpool.with { directory in
            _ = try directory.open()
            let metrics = SpoolMetrics()
            let watcher = try #require(
                InotifyWatcher(root: directory.path, capacity: 4, metricsFactory: metrics.factory)
            )
            defer { watcher.close() }
            #expect(await watcher.watch("incoming"))
            // Nothing reads the watcher's events: its buffer stays full, and every event from now on is lost.
            for round in 1...2 {
                for index in 0..<50 {
                    try SpoolFiles.write("{}", to: "\(directory.path)/incoming/\(round).\(index).json")
                }
                let line = "spool_watcher_overflows_total{source=\"reader\"} \(round)\n"
                #expect(
                    await eventually { String(decoding: metrics.exposition(), as: UTF8.self).contains(line) },
                    "one more overflow in round \(round)"
                )
                let exposition = try Exposition(metrics.exposition())
                #expect(exposition["spool_watcher_overflows_total", ["source": "reader"]] == Double(round))
                #expect(exposition["spool_watcher_overflows_total", ["source": "kernel"]] == 0)
                // Taken, it starts a new stretch: the next lost event counts once more.
                #expect(watcher.takeOverflow())
            }
        }
    }

    @Test func everyPollIsARescan() async throws {
        try await TemporarySpool.with { directory in
            let metrics = SpoolMetrics()
            let spool = try Spool(root: directory.path, metricsFactory: metrics.factory)
            let engine = SpoolEngine(
                spool: spool,
                configuration: EngineConfiguration(watchMode: .poll, pollInterval: 0.05)
            )
            let rescans = Exposition.key("spool_watcher_rescans_total")
            try await whileRunning(engine) {
                #expect(
                    await eventually {
                        let text = String(decoding: metrics.exposition(), as: UTF8.self)
                        return !text.contains("spool_watcher_rescans_total 0\n")
                            && text.contains("spool_watcher_rescans_total ")
                    }
                )
            }
            #expect(try Exposition(metrics.exposition()).values[rescans].map { $0 >= 1 } == true)
        }
    }
}
