import SpoolCore

extension BenchRun {
    /// W3: tasks due at random moments (to the millisecond) within the next 10 s, enqueued one call each
    /// while a worker process (scheduling and working) waits; lateness is the handler's start minus the
    /// due time.
    func measurePunctuality() async throws -> [BenchResult] {
        try await settleDown()
        let count = quick ? 500 : 2000
        let spool = try freshSpool("w3")
        let worker = try startWorker(spool, expected: count, roles: "all")
        try worker.send("go")
        var generator = SystemRandomNumberGenerator()
        let start = BenchClock.microseconds()
        for index in 0..<count {
            let due = spool.clock.now.adding(milliseconds: Int64.random(in: 1...10_000, using: &generator))
            try spool.enqueue(NewTask(type: "noop", payload: payload(index), runAt: due))
        }
        let enqueueSeconds = BenchClock.seconds(since: start)
        let report = try finalReport(of: worker)
        let lateness = Percentiles(
            (report["lateness_us"]?.arrayValue ?? []).compactMap { $0.integerValue }.map { Double($0) / 1000 }
        )
        guard !lateness.isEmpty else { throw BenchError("W3 measured no task") }
        let early = (report["lateness_us"]?.arrayValue ?? []).filter { ($0.integerValue ?? 0) < 0 }.count
        return [
            BenchResult(
                workload: "W3",
                setting: "enqueue",
                summary:
                    "lateness p50 \(Figure.milliseconds(lateness.at(0.5))), p99 \(Figure.milliseconds(lateness.at(0.99))), "
                    + "max \(Figure.milliseconds(lateness.maximum))",
                [
                    ("variant", .string("random")), ("n_target", .integer(count)),
                    ("n", .integer(Int(report["handled"]?.integerValue ?? 0))),
                    ("enqueue_s", .rounded(enqueueSeconds, 3)),
                    ("late_ms_p50", .rounded(lateness.at(0.5), 2)), ("late_ms_p99", .rounded(lateness.at(0.99), 2)),
                    ("late_ms_max", .rounded(lateness.maximum, 2)), ("late_ms_min", .rounded(lateness.minimum, 2)),
                    ("early_count", .integer(early)),
                    ("note", .string("due uniform in (0, 10] s, to the millisecond; run_at given per task")),
                ]
            )
        ]
    }
}
