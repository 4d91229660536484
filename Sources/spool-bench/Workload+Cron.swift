import SpoolCore
import SpoolCron

extension BenchRun {
    /// CRON: 10,000 entries kept in the spool, each firing once a minute (entry i at second i mod 60, so
    /// 167 ticks a second), fired by one scheduler process (`--mode scheduler`'s role) for three minutes.
    /// Every tick in the window must have fired exactly once; the figures are the scheduler's CPU share
    /// and how late each tick's task was enqueued.
    func measureCron() async throws -> [BenchResult] {
        try await settleDown()
        let entries = quick ? 1_000 : 10_000
        let seconds = quick ? 65.0 : 185.0
        let spool = try freshSpool("cron")
        for index in 0..<entries {
            try spool.addCronEntry(
                CronEntry(
                    name: "e\(index)",
                    spec: "\(index % 60) * * * * *",
                    task: [JSONMember("type", .string("noop")), JSONMember("queue", .string("cron"))]
                )
            )
        }
        let scheduler = try startWorker(spool, expected: -1, roles: "scheduling")
        try scheduler.send("go")
        let start = spool.clock.now
        let cpuBefore = scheduler.cpuSeconds() ?? 0
        try await Task.sleep(for: .seconds(seconds))
        let cpu = (scheduler.cpuSeconds() ?? 0) - cpuBefore
        let end = spool.clock.now
        try scheduler.send("stop")
        _ = try finalReport(of: scheduler)

        // Every tick strictly inside the window, one second of margin at each end, must be there once.
        var fired: [String: Int64] = [:]
        var lateness: [Double] = []
        spool.forEachTask(states: [.active], queue: "cron") { location in
            if let record = try? spool.record(at: location), let due = record.runAt, let created = record.createdAt {
                fired[location.id] = due.milliseconds
                lateness.append(Double(created.milliseconds - due.milliseconds))
            }
            return true
        }
        var missing = 0
        var expected = 0
        let from = start.adding(seconds: 1)
        let to = end.adding(seconds: -1)
        for index in 0..<entries {
            let schedule = CronSchedule(spec: try CronSpec("\(index % 60) * * * * *"))
            var last = from
            while let tick = schedule.next(after: last), tick < to {
                expected += 1
                if fired[CronEntry.taskID(name: "e\(index)", tick: tick)] == nil { missing += 1 }
                last = tick
            }
        }
        let elapsed = Double(end.milliseconds - start.milliseconds) / 1000
        let share = cpu / elapsed * 100
        let late = Percentiles(lateness)
        return [
            BenchResult(
                workload: "CRON",
                setting: "\(entries) entries",
                summary:
                    "scheduler CPU \((share * 100).rounded() / 100)% of a core, "
                    + "\(expected - missing) of \(expected) ticks fired once, late p99 \(Figure.milliseconds(late.at(0.99)))",
                [
                    ("entries", .integer(entries)), ("seconds", .rounded(elapsed, 1)),
                    ("cpu_s", .rounded(cpu, 2)), ("cpu_share_pct", .rounded(share, 2)),
                    ("ticks_expected", .integer(expected)), ("ticks_missing", .integer(missing)),
                    ("tasks", .integer(fired.count)), ("late_ms_p50", .rounded(late.at(0.5), 1)),
                    ("late_ms_p99", .rounded(late.at(0.99), 1)), ("late_ms_max", .rounded(late.maximum, 1)),
                    ("note", .string("entry i fires at second i mod 60 of every minute; durability enqueue")),
                ]
            )
        ]
    }
}
