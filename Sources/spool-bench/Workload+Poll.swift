import SpoolCore

extension BenchRun {
    /// POLL: what one poll costs (`watch: poll`, once a second), with no task pending, with 1,000 and with
    /// 1,000,000 scheduled over the next seven days, and with 1,000 and 1,000,000 due in `active/` (a
    /// backlog: the daemon runs two tasks, `sleep 600`, and the rest wait). Each case on its own spool,
    /// filled by bulk calls of 1,000 at durability `none`.
    ///
    /// - In this process, the scans a rescan makes, timed one after the other: the drops in `incoming/`,
    ///   the sweeper's rescan of `scheduled/`, the queues of `active/` and the paused queues; and apart,
    ///   one listing of the oldest names of `active/default/` (a worker's window, 32,768 names), which a
    ///   poll makes only for a queue with nothing left to claim or whose whole folder the window holds.
    /// - A real `spoold` idle on the spool: its CPU time per second, over the same seconds, with
    ///   `--watch poll --poll-interval 1` and then with `--watch inotify`; the difference is what the
    ///   polls cost. Each is measured once its start-up work is over (whose CPU time is noted too).
    func measurePoll() async throws -> [BenchResult] {
        let large = quick ? 50_000 : 1_000_000
        let cases: [(count: Int, due: Bool)] = [(0, false), (1000, false), (large, false), (1000, true), (large, true)]
        var results: [BenchResult] = []
        for (count, due) in cases {
            try await settleDown()
            let label = count == 0 ? "none pending" : "\(Figure.grouped(Double(count))) \(due ? "due" : "scheduled")"
            let spool = try freshSpool("poll-\(count)-\(due ? "due" : "scheduled")", durability: .none)
            let fillStart = BenchClock.microseconds()
            try fill(spool, count: count, due: due)
            let fillSeconds = BenchClock.seconds(since: fillStart)
            let scans = try timeScans(spool)
            try writeConfiguration(
                """
                shutdown_grace: 1s
                workers: {concurrency: 2}
                default_concurrency: 2
                handlers: {slow: {exec: [/bin/sleep, "600"], kill_grace: 1s}}
                queues: {default: {handler: slow}}

                """,
                into: spool
            )
            let polling = try await idleCPU(spool, watch: "poll")
            let watching = try await idleCPU(spool, watch: "inotify")
            let perPoll = polling.perSecond - watching.perSecond
            results.append(
                BenchResult(
                    workload: "POLL",
                    setting: label,
                    summary: "a poll \(Figure.milliseconds(perPoll * 1000)) CPU (poll mode "
                        + "\(Figure.milliseconds(polling.perSecond * 1000))/s, inotify "
                        + "\(Figure.milliseconds(watching.perSecond * 1000))/s); scans in process p50 "
                        + "\(Figure.milliseconds(scans.poll.at(0.5))), active listing "
                        + Figure.milliseconds(scans.listing),
                    [
                        ("pending", .integer(count)), ("where", .string(due ? "active" : "scheduled")),
                        ("fill_s", .rounded(fillSeconds, 1)),
                        ("cpu_ms_per_s_poll", .rounded(polling.perSecond * 1000, 2)),
                        ("cpu_ms_per_s_inotify", .rounded(watching.perSecond * 1000, 2)),
                        ("cpu_ms_per_poll", .rounded(perPoll * 1000, 2)),
                        ("cpu_ms_per_s_poll_ticks", .rounded(polling.perSecondByTicks * 1000, 1)),
                        ("cpu_ms_per_s_inotify_ticks", .rounded(watching.perSecondByTicks * 1000, 1)),
                        ("measured_s", .integer(polling.seconds)),
                        ("startup_s_poll", .rounded(polling.startup, 1)),
                        ("startup_s_inotify", .rounded(watching.startup, 1)),
                        ("startup_cpu_s_poll", .rounded(polling.startupCPU, 3)),
                        ("scan_ms_p50", .rounded(scans.poll.at(0.5), 3)),
                        ("scan_ms_max", .rounded(scans.poll.maximum, 3)),
                        ("active_listing_ms", .rounded(scans.listing, 2)),
                        (
                            "note",
                            .string(
                                "spoold CPU from /proc/<pid>/task/*/schedstat, poll interval 1 s; scans: pendingDrops, Sweeper.rescan, activeQueues, pausedQueues"
                            )
                        ),
                    ]
                )
            )
        }
        return results
    }

    /// Fills `spool` with `count` tasks, due now or spread evenly over seven days from five minutes ahead.
    private func fill(_ spool: Spool, count: Int, due: Bool) throws {
        let spread = 7 * 86_400.0
        var start = 0
        while start < count {
            let end = min(start + 1000, count)
            try spool.enqueue(
                contentsOf: tasks(start..<end, delay: { due ? nil : 300 + spread * Double($0) / Double(count) })
            )
            start = end
            if start % 100_000 == 0 { report("POLL: \(start) tasks enqueued") }
        }
    }

    /// Times the scans of a rescan, as in a daemon already running (its first scan done), 20 times; and
    /// one listing of the oldest names of `active/default/`, the median of three.
    private func timeScans(_ spool: Spool) throws -> (poll: Percentiles, listing: Double) {
        let sweeper = Sweeper(spool: spool)
        sweeper.advance(now: spool.clock.now)
        _ = sweeper.takeFoldersToWatch()
        var times: [Double] = []
        for _ in 0..<(quick ? 5 : 20) {
            let start = BenchClock.microseconds()
            _ = try spool.pendingDrops()
            sweeper.rescan(now: spool.clock.now)
            _ = sweeper.takeFoldersToWatch()
            _ = spool.activeQueues()
            _ = try spool.pausedQueues()
            times.append(Double(BenchClock.microseconds() - start) / 1000)
        }
        var listings: [Double] = []
        for _ in 0..<3 {
            let start = BenchClock.microseconds()
            _ = try? spool.oldestActive(queue: "default", limit: 32_768)
            listings.append(Double(BenchClock.microseconds() - start) / 1000)
        }
        return (Percentiles(times), Percentiles(listings).at(0.5))
    }

    /// Starts `spoold` on `spool` with `--watch watch` (polling once a second), waits until its start-up
    /// work is over, then measures its CPU time per second over 20 s (5 with `--quick`).
    ///
    /// Start-up is over when two seconds in a row cost under 50 ms each: on a shared machine, start-up
    /// work (a second of CPU with a million tasks) may be spread thin over several seconds, so seconds
    /// of about the same cost do not say it ended. After 120 s the measurement starts all the same.
    private func idleCPU(_ spool: Spool, watch: String) async throws -> (
        perSecond: Double, perSecondByTicks: Double, seconds: Int, startup: Double, startupCPU: Double
    ) {
        let started = BenchClock.microseconds()
        let daemon = try startDaemon(root: spool.root, arguments: ["--watch", watch, "--poll-interval", "1"])
        defer { daemon.stop() }
        var last = 0.0
        var quietSeconds = 0
        while quietSeconds < 2, BenchClock.seconds(since: started) < 120 {
            try await Task.sleep(for: .seconds(1))
            guard let cpu = daemon.threadCPUSeconds() else { throw BenchError("POLL: spoold is gone") }
            quietSeconds = cpu - last < 0.05 ? quietSeconds + 1 : 0
            last = cpu
        }
        let startup = BenchClock.seconds(since: started)
        let seconds = quick ? 5 : 20
        guard let cpuStart = daemon.threadCPUSeconds(), let ticksStart = daemon.cpuSeconds() else {
            throw BenchError("POLL: cannot read spoold's CPU time")
        }
        let measureStart = BenchClock.microseconds()
        try await Task.sleep(for: .seconds(seconds))
        guard let cpuEnd = daemon.threadCPUSeconds(), let ticksEnd = daemon.cpuSeconds() else {
            throw BenchError("POLL: cannot read spoold's CPU time")
        }
        let elapsed = BenchClock.seconds(since: measureStart)
        return ((cpuEnd - cpuStart) / elapsed, (ticksEnd - ticksStart) / elapsed, seconds, startup, cpuStart)
    }
}
