import SpoolCore
import SpoolSystem

extension BenchRun {
    /// W4: `spoold`'s resident memory holding 1,000,000 delayed tasks (due in an hour), against 1,000; the
    /// time to enqueue them (bulk calls of 1,000, each flushed, then again with durability off); the disk
    /// used per task; and the time from `spoold`'s start to its first dispatch of a task due now.
    func measureScale() async throws -> [BenchResult] {
        try await settleDown()
        let count = quick ? 50_000 : 1_000_000
        let small = try freshSpool("w4-small")
        try enqueueDelayed(1000, into: small)
        let before = try await startAndDispatch(small)

        let large = try freshSpool("w4-large")
        let start = BenchClock.microseconds()
        try enqueueDelayed(count, into: large)
        let insertSeconds = BenchClock.seconds(since: start)
        let disk = allocatedBytes(large.root)
        let after = try await startAndDispatch(large)
        let blockSize = fileSystemBlockSize(of: large.root)
        let perTask = Double(disk) / Double(count)

        // The same enqueue with durability off, to set beside the peers that do not flush.
        try await settleDown()
        let unflushed = try freshSpool("w4-unflushed", durability: .none)
        let unflushedStart = BenchClock.microseconds()
        try enqueueDelayed(count, into: unflushed)
        let unflushedSeconds = BenchClock.seconds(since: unflushedStart)
        return [
            BenchResult(
                workload: "W4",
                setting: "enqueue",
                summary: "\(Figure.grouped(Double(after.rss))) kB with \(Figure.grouped(Double(count))) pending, "
                    + "\(Figure.grouped(Double(before.rss))) kB with 1,000; enqueue \(Figure.rate(Double(count) / insertSeconds)), "
                    + "unflushed \(Figure.rate(Double(count) / unflushedSeconds)); "
                    + "\(Figure.grouped(perTask)) disk bytes per task; first dispatch \(Figure.milliseconds(after.dispatch))",
                [
                    ("n", .integer(count)), ("insert_s", .rounded(insertSeconds, 2)),
                    ("insert_per_s", .rounded(Double(count) / insertSeconds)),
                    ("client", .string("Spool.enqueue(contentsOf:), 1,000 per call, each call flushed")),
                    ("insert_unflushed_s", .rounded(unflushedSeconds, 2)),
                    ("insert_unflushed_per_s", .rounded(Double(count) / unflushedSeconds)),
                    ("rss_before_kb", .integer(before.rss)), ("rss_after_kb", .integer(after.rss)),
                    ("disk_alloc_bytes", .integer(Int(disk))), ("disk_bytes_per_task", .rounded(perTask)),
                    ("block_bytes", .integer(blockSize)), ("inode_bytes", .integer(256)),
                    ("first_dispatch_ms", .rounded(after.dispatch, 1)),
                    ("first_dispatch_ms_small", .rounded(before.dispatch, 1)),
                ]
            )
        ]
    }

    /// Enqueues `count` tasks due an hour from now, spread over ten minutes, reporting progress.
    private func enqueueDelayed(_ count: Int, into spool: Spool) throws {
        var start = 0
        while start < count {
            let end = min(start + 1000, count)
            try spool.enqueue(contentsOf: tasks(start..<end, delay: { 3600 + Double($0 % 600) }))
            start = end
            if start % 100_000 == 0 { report("W4: \(start) delayed tasks enqueued") }
        }
    }

    /// Adds a task due now, starts `spoold` with an exec handler, and measures the time from the start to
    /// that task's finish, then the daemon's resident memory once it has settled.
    private func startAndDispatch(_ spool: Spool) async throws -> (rss: Int, dispatch: Double) {
        let id = try spool.enqueue(NewTask(type: "first", payload: .null))
        let start = BenchClock.microseconds()
        let daemon = try startDaemon(
            spool,
            configuration: "handlers: {true: {exec: [/bin/true]}}\nqueues: {default: {handler: true}}\n"
        )
        defer { daemon.stop() }
        while spool.finishedLocation(id: id, queue: "default") == nil {
            guard BenchClock.seconds(since: start) < 60 else { throw BenchError("W4: no dispatch within 60 s") }
            try await Task.sleep(for: .milliseconds(1))
        }
        let dispatch = Double(BenchClock.microseconds() - start) / 1000
        try await Task.sleep(for: .seconds(3))
        guard let rss = daemon.residentKilobytes() else { throw BenchError("W4: cannot read spoold's memory") }
        return (rss, dispatch)
    }
}
