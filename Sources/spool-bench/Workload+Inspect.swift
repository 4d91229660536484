import SpoolCore
import SpoolSystem
import SystemPackage

extension BenchRun {
    /// INSPECT: `spoolctl` on a spool of 1,000,000 tasks over four queues (600,000 scheduled up to a week
    /// ahead, 349,000 due, 1,000 dead with an error, 50,000 done): each command's wall time (the median of
    /// three runs) and its peak memory, as an operator runs it.
    func measureInspect() async throws -> [BenchResult] {
        try await settleDown()
        let (spool, count, insertSeconds) = try inspectionSpool("inspect")
        let scheduled = count * 6 / 10
        let middle = spool.query(
            with(TaskQuery()) {
                $0.states = [.scheduled]; $0.limit = scheduled / 2
            }
        ).tasks.last
        let done = spool.query(
            with(TaskQuery()) {
                $0.states = [.done]; $0.newestFirst = true; $0.limit = 1
            }
        ).tasks.first

        var results: [BenchResult] = []
        let commands: [(String, [String])] = [
            ("stats", ["stats"]),
            ("list --limit 50", ["list", "--limit", "50"]),
            ("list --limit 50 --newest", ["list", "--limit", "50", "--newest"]),
            (
                "list --state dead --error refused --limit 50",
                ["list", "--state", "dead", "--error", "refused", "--limit", "50"]
            ),
            (
                "list --queue mail --due-after +3d --limit 50",
                ["list", "--queue", "mail", "--due-after", "+3d", "--limit", "50"]
            ),
            ("show (a scheduled task)", ["show", middle?.id ?? "none"]),
            ("show (a done task)", ["show", done?.id ?? "none"]),
        ]
        for (label, arguments) in commands {
            var runs: [(seconds: Double, kilobytes: Int, status: Int32)] = []
            for _ in 0..<3 { runs.append(try runSpoolctl(arguments, on: spool)) }
            let median = runs.map(\.seconds).sorted()[1]
            let memory = runs.map(\.kilobytes).max() ?? 0
            results.append(
                BenchResult(
                    workload: "INSPECT",
                    setting: "\(label), \(count) tasks",
                    summary: "\(Figure.milliseconds(median * 1000)), peak memory \(memory / 1024) MiB"
                        + (runs.allSatisfy { $0.status == 0 } ? "" : " (exit \(runs.map(\.status)))"),
                    [
                        ("n", .integer(count)), ("command", .string("spoolctl " + arguments.joined(separator: " "))),
                        ("median_ms", .rounded(median * 1000, 1)), ("max_rss_kb", .integer(memory)),
                        ("insert_s", .rounded(insertSeconds, 1)),
                    ]
                )
            )
        }
        let check = try runSpoolctl(["fsck", "--dry-run"], on: spool)
        results.append(
            BenchResult(
                workload: "INSPECT",
                setting: "fsck --dry-run, \(count) tasks",
                summary: "\(Figure.milliseconds(check.seconds * 1000)), peak memory \(check.kilobytes / 1024) MiB"
                    + (check.status == 0 ? "" : " (exit \(check.status))"),
                [
                    ("n", .integer(count)), ("command", .string("spoolctl fsck --dry-run")),
                    ("ms", .rounded(check.seconds * 1000, 1)), ("max_rss_kb", .integer(check.kilobytes)),
                ]
            )
        )
        return results
    }

    /// A spool of 1,000,000 tasks (50,000 with `--quick`) over the queues mail, media, reports and hooks:
    /// 60 % scheduled up to a week ahead, 34.9 % due, 5 % done, 0.1 % dead with the error "connection
    /// refused by the gateway"; with the number of tasks and the seconds it took to make.
    func inspectionSpool(_ name: String) throws -> (spool: Spool, count: Int, seconds: Double) {
        let count = quick ? 50_000 : 1_000_000
        let spool = try freshSpool(name, durability: .none)
        let queues = ["mail", "media", "reports", "hooks"]
        let finished = count / 20
        let dead = count / 1000
        let scheduled = count * 6 / 10
        let insert = BenchClock.microseconds()
        // Finished ones first, so that they are the oldest due and claimed first.
        let due = (0..<(count - scheduled)).map {
            NewTask(queue: queues[$0 % 4], type: $0 < dead ? "charge" : "noop", payload: payload($0))
        }
        try enqueueInBatches(due, into: spool)
        for queue in queues {
            for name in try spool.oldestActive(queue: queue, limit: finished / queues.count).names {
                guard let task = try spool.claim(name, queue: queue) else { continue }
                if task.record.type == "charge" {
                    try spool.fail(task, error: "connection refused by the gateway", permanent: true)
                } else {
                    try spool.complete(task)
                }
            }
        }
        let later = (0..<scheduled).map {
            NewTask(queue: queues[$0 % 4], type: "noop", payload: payload($0), delay: Double(60 + $0 % 604_800))
        }
        try enqueueInBatches(later, into: spool)
        return (spool, count, BenchClock.seconds(since: insert))
    }

    /// Runs `spoolctl` (built next to this program) with `arguments` on `spool`: its wall time, peak
    /// memory and exit status. Its output is read and dropped. GNU time runs it and reports its peak
    /// memory: a child started from this process would count this process's memory as its own (a child
    /// spawned with vfork keeps its parent's peak across exec).
    private func runSpoolctl(_ arguments: [String], on spool: Spool) throws -> (
        seconds: Double, kilobytes: Int, status: Int32
    ) {
        let report = "\(base)/spoolctl-time"
        let start = BenchClock.microseconds()
        let child = try BenchProcess(
            ["/usr/bin/time", "-o", report, "-f", "%M", BenchProcess.sibling("spoolctl"), "--spool", spool.root]
                + arguments,
            pipeOutput: true
        )
        while child.readLine() != nil {}
        let status = child.wait()
        let seconds = BenchClock.seconds(since: start)
        let bytes = (try? FileDescriptor.open(report, .readOnly))?.closeAfter { try? $0.readAll(limit: 4096).bytes }
        let text = String(decoding: bytes ?? [], as: UTF8.self)
        let kilobytes = text.split(separator: "\n").last.flatMap { Int($0.filter(\.isNumber)) } ?? 0
        return (seconds, kilobytes, status)
    }
}

/// `value` changed by `change`.
private func with<Value>(_ value: Value, _ change: (inout Value) -> Void) -> Value {
    var value = value
    change(&value)
    return value
}
