import SpoolCore

extension BenchRun {
    /// SUSTAINED: for `seconds`, one producer enqueues tasks one call each at the default durability as
    /// fast as it can, while one worker process drains them; every 10 s the rates of both, the backlog and
    /// the worker's memory are taken. At the end the producer stops and the backlog is drained.
    func measureSustained(seconds: Int) async throws -> [BenchResult] {
        try await settleDown()
        let spool = try freshSpool("sustained")
        let worker = try startWorker(spool, expected: -1)
        try worker.send("go")
        let start = BenchClock.microseconds()
        var enqueued = 0
        var handled = 0
        var windows: [JSONValue] = []
        var window = (start: start, enqueued: 0, handled: 0)
        let windowLength: Int64 = 10_000_000
        while BenchClock.microseconds() - start < Int64(seconds) * 1_000_000 {
            for _ in 0..<100 {
                try spool.enqueue(NewTask(type: "noop", payload: payload(enqueued)))
                enqueued += 1
            }
            while let line = worker.readLine(timeout: 0) {
                if let count = (try? JSONParser.parse(Array(line.utf8)))?["handled"]?.integerValue {
                    handled = Int(count)
                }
            }
            let now = BenchClock.microseconds()
            if now - window.start >= windowLength {
                let length = Double(now - window.start) / 1_000_000
                windows.append(
                    .object([
                        JSONMember("t_s", .rounded(Double(now - start) / 1_000_000, 1)),
                        JSONMember("enqueue_per_s", .rounded(Double(enqueued - window.enqueued) / length)),
                        JSONMember("drain_per_s", .rounded(Double(handled - window.handled) / length)),
                        JSONMember("backlog", .integer(enqueued - handled)),
                        JSONMember("rss_kb", .integer(worker.residentKilobytes() ?? 0)),
                    ])
                )
                report("SUSTAINED: \(Int((now - start) / 1_000_000)) s, \(enqueued) enqueued, \(handled) finished")
                window = (now, enqueued, handled)
            }
        }
        let produced = BenchClock.seconds(since: start)
        while handled < enqueued, BenchClock.seconds(since: start) < produced + 120 {
            if let line = worker.readLine(timeout: 1),
                let count = (try? JSONParser.parse(Array(line.utf8)))?["handled"]?.integerValue
            {
                handled = Int(count)
            }
        }
        try worker.send("stop")
        let final = try finalReport(of: worker)
        let finished = Int(final["handled"]?.integerValue ?? 0)
        let drained = Double((final["end_us"]?.integerValue ?? start) - start) / 1_000_000
        return [
            BenchResult(
                workload: "SUSTAINED",
                setting: "enqueue",
                summary: "\(seconds) s: enqueue \(Figure.rate(Double(enqueued) / produced)), "
                    + "\(Figure.grouped(Double(finished))) of \(Figure.grouped(Double(enqueued))) finished",
                [
                    ("seconds", .integer(seconds)), ("enqueued", .integer(enqueued)), ("finished", .integer(finished)),
                    ("enqueue_per_s", .rounded(Double(enqueued) / produced)),
                    ("drain_per_s", .rounded(Double(finished) / max(drained, produced))),
                    ("windows", .array(windows)),
                    (
                        "note",
                        .string(
                            "one producer, one call per task (file and folder flushed); one worker process, 8 at once"
                        )
                    ),
                ]
            )
        ]
    }
}
