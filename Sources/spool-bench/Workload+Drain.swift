import SpoolCore

extension BenchRun {
    /// W2: worker processes claim, run a no-op handler and finish tasks already waiting in `active/`;
    /// one process, then two, released together. The time runs from the release to the last finish.
    func measureDrain() async throws -> [BenchResult] {
        var results: [BenchResult] = []
        for processes in [1, 2] {
            try await settleDown()
            let spool = try freshSpool("w2-\(processes)")
            try enqueueInBatches(tasks(0..<taskCount), into: spool)
            let workers = try (0..<processes).map { _ in try startWorker(spool) }
            let start = BenchClock.microseconds()
            for worker in workers { try worker.send("go") }
            let reports = try workers.map { try finalReport(of: $0) }
            let end = reports.compactMap { $0["end_us"]?.integerValue }.max() ?? start
            let handled = reports.map { Int($0["handled"]?.integerValue ?? 0) }
            let seconds = Double(end - start) / 1_000_000
            let count = handled.reduce(0, +)
            guard count == taskCount else { throw BenchError("W2 ran \(count) of \(taskCount) tasks") }
            results.append(
                BenchResult(
                    workload: processes == 1 ? "W2" : "W2x2",
                    setting: "enqueue",
                    summary: Figure.rate(Double(count) / seconds)
                        + " (\(handled.map { "\($0)" }.joined(separator: " + ")))",
                    [
                        ("durability", .string("enqueue: claims and finishes are renames, not flushed")),
                        ("consumers", .integer(processes)), ("n", .integer(count)),
                        ("elapsed_s", .rounded(seconds, 3)), ("per_s", .rounded(Double(count) / seconds)),
                        ("per_consumer", .array(handled.map { .integer($0) })),
                    ]
                )
            )
        }
        return results
    }
}
