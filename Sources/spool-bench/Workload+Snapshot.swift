import SpoolCore
import Synchronization

extension BenchRun {
    /// SNAPSHOT: `spoolctl snapshot`'s work on a spool of 1,000,000 pending tasks (due from one minute to two
    /// hours ahead) while a writer enqueues one task at a time through another `Spool` (its own lock, as
    /// another process has): how long the snapshot takes, how long renames waited, and the writer's longest
    /// enqueue while it ran; then `rsync -a` of the same spool, for comparison.
    func measureSnapshot() async throws -> [BenchResult] {
        try await settleDown()
        let count = quick ? 50_000 : 1_000_000
        let spool = try freshSpool("snapshot")
        let insert = BenchClock.microseconds()
        try enqueueInBatches(tasks(0..<count) { Double(60 + $0 % 7200) }, into: spool)
        let insertSeconds = BenchClock.seconds(since: insert)

        let writerSpool = try Spool(root: spool.root)
        let writing = Atomic<Bool>(true)
        // Each enqueue's start and end, in microseconds.
        let writes = Mutex<[(Int64, Int64)]>([])
        let writer = Task.detached {
            var index = 0
            while writing.load(ordering: .relaxed) {
                let start = BenchClock.microseconds()
                _ = try? writerSpool.enqueue(NewTask(type: "noop", payload: .integer(Int64(index))))
                let end = BenchClock.microseconds()
                writes.withLock { $0.append((start, end)) }
                index += 1
            }
        }
        try await Task.sleep(for: .milliseconds(500))
        let destination = "\(base)/snapshot-copy"
        let start = BenchClock.microseconds()
        let report = try spool.snapshot(to: destination)
        let end = BenchClock.microseconds()
        try await Task.sleep(for: .milliseconds(500))
        writing.store(false, ordering: .relaxed)
        await writer.value
        let during = writes.withLock { $0 }.filter { $0.1 >= start && $0.0 <= end }
        let longest = Double(during.map { $0.1 - $0.0 }.max() ?? 0) / 1000
        let before = writes.withLock { $0 }.filter { $0.1 < start }.map { Double($0.1 - $0.0) / 1000 }
        let usual = Percentiles(before)

        let rsyncStart = BenchClock.microseconds()
        let rsync = try BenchProcess(["rsync", "-a", "\(spool.root)/", "\(base)/rsync-copy/"])
        let rsyncStatus = rsync.wait()
        let rsyncSeconds = BenchClock.seconds(since: rsyncStart)
        let seconds = Double(end - start) / 1_000_000
        return [
            BenchResult(
                workload: "SNAPSHOT",
                setting: "\(count) tasks",
                summary:
                    "snapshot \(Figure.milliseconds(seconds * 1000)) (renames paused \(report.pauseMilliseconds) ms), "
                    + "writer's longest enqueue \(Figure.milliseconds(longest)) (p99 before "
                    + "\(Figure.milliseconds(usual.at(0.99)))); rsync -a \(Figure.milliseconds(rsyncSeconds * 1000))"
                    + (rsyncStatus == 0 ? "" : " (exit \(rsyncStatus))"),
                [
                    ("n", .integer(count)), ("insert_s", .rounded(insertSeconds, 1)),
                    ("snapshot_s", .rounded(seconds, 2)), ("pause_ms", .integer(Int(report.pauseMilliseconds))),
                    ("wait_ms", .integer(Int(report.waitMilliseconds))), ("linked", .integer(report.linked)),
                    ("symlinks", .integer(report.symlinks)), ("folders", .integer(report.folders)),
                    ("writer_longest_ms", .rounded(longest, 1)), ("writer_p99_before_ms", .rounded(usual.at(0.99), 2)),
                    ("writes_during", .integer(during.count)), ("rsync_s", .rounded(rsyncSeconds, 2)),
                    ("note", .string("pending tasks 1 min to 2 h ahead; one writer enqueues one task at a time")),
                ]
            )
        ]
    }
}
