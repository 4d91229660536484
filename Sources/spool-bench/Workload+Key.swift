import SpoolCore

extension BenchRun {
    /// KEY: lookup by business key on a spool of 1,000,000 tasks that each have one (`order-<n>`), enqueued
    /// in calls of 1,000, due from one minute to two hours ahead: the time of one `tasks(withKey:)` call for
    /// each of 1,000 random keys.
    func measureKeyLookup() async throws -> [BenchResult] {
        try await settleDown()
        let count = quick ? 50_000 : 1_000_000
        let spool = try freshSpool("key")
        var start = 0
        let insert = BenchClock.microseconds()
        while start < count {
            let end = min(start + 1000, count)
            try spool.enqueue(
                contentsOf: (start..<end).map {
                    NewTask(type: "noop", payload: payload($0), delay: Double(60 + $0 % 7200), key: "order-\($0)")
                }
            )
            start = end
        }
        let insertSeconds = BenchClock.seconds(since: insert)
        var generator = SystemRandomNumberGenerator()
        var times: [Double] = []
        var found = 0
        for _ in 0..<1000 {
            let key = "order-\(Int.random(in: 0..<count, using: &generator))"
            let lookup = BenchClock.microseconds()
            found += spool.tasks(withKey: key).count
            times.append(Double(BenchClock.microseconds() - lookup) / 1000)
        }
        let spread = Percentiles(times)
        return [
            BenchResult(
                workload: "KEY",
                setting: "\(count) tasks",
                summary:
                    "lookup p50 \(Figure.milliseconds(spread.at(0.5))), p99 \(Figure.milliseconds(spread.at(0.99))), "
                    + "max \(Figure.milliseconds(spread.maximum)); \(found) of 1,000 found",
                [
                    ("n", .integer(count)), ("insert_s", .rounded(insertSeconds, 1)), ("lookups", .integer(1000)),
                    ("found", .integer(found)), ("lookup_ms_p50", .rounded(spread.at(0.5), 3)),
                    ("lookup_ms_p99", .rounded(spread.at(0.99), 3)), ("lookup_ms_max", .rounded(spread.maximum, 3)),
                    ("note", .string("every task has a key; scheduled 1 min to 2 h ahead; random keys, one call each")),
                ]
            )
        ]
    }
}
