import SpoolCore
import SpoolTestSupport
import Testing

/// `spoolctl stats`: counts, the oldest wait, what is due soon, waits by age, and the last hour's finishes
/// found where the spool's own retention (its spool.yaml) puts them.
@Suite struct StatsTests {
    @Test func waitsDueSoonAndTheLastHoursFinishes() throws {
        try TemporarySpool.with { directory in
            try SpoolFiles.write("retention: {done: 2d, dead: 3d}\n", to: "\(directory.path)/spool.yaml")
            let spool = try directory.open(
                configuration: SpoolConfiguration(doneRetention: 2 * 86_400, deadRetention: 3 * 86_400)
            )
            let now = spool.clock.now
            try spool.enqueue(NewTask(id: "late", queue: "q", type: "t", runAt: now.adding(seconds: -7300)))
            try spool.enqueue(NewTask(id: "fresh", queue: "q", type: "t"))
            try spool.enqueue(NewTask(id: "soon", queue: "q", type: "t", delay: 30))
            try spool.enqueue(NewTask(id: "later", queue: "q", type: "t", delay: 1800))
            try spool.enqueue(NewTask(id: "tomorrow", queue: "q", type: "t", delay: 86_400))
            for (id, succeed) in [("ok", true), ("ko", false)] {
                try spool.enqueue(NewTask(id: id, queue: "r", type: "t"))
                let task = try #require(try spool.claimNext(queue: "r"))
                if succeed {
                    try spool.complete(task, result: .bool(true))
                } else {
                    try spool.fail(task, error: "no", permanent: true)
                }
            }
            let run = try ChildProcess.run("spoolctl", ["--spool", directory.path, "--json", "stats"])
            #expect(run.status == 0, "\(run.error)")
            let stats = try #require(try jsonLines(run.output).first)
            let q = try #require(stats["queues"]?.arrayValue?.first { $0["queue"] == .string("q") })
            let r = try #require(stats["queues"]?.arrayValue?.first { $0["queue"] == .string("r") })
            #expect(q["active"] == .integer(2) && q["scheduled"] == .integer(3))
            #expect((q["oldest_waiting_s"]?.integerValue ?? 0) >= 7300)
            #expect(q["due_next_minute"] == .integer(1) && q["due_next_hour"] == .integer(2))
            #expect(q["waiting"]?["<1m"] == .integer(1) && q["waiting"]?["1h+"] == .integer(1))
            #expect(r["done_last_hour"] == .integer(1) && r["dead_last_hour"] == .integer(1), "\(r)")
            #expect(r["done"] == .integer(1) && r["dead"] == .integer(1))

            let table = try ChildProcess.run("spoolctl", ["--spool", directory.path, "stats"])
            #expect(
                table.output.hasPrefix(
                    "QUEUE  SCHEDULED  ACTIVE  RUNNING  DONE  DEAD  OLDEST  DUE 1M  DUE 1H  DONE 1H  DEAD 1H\n"
                )
            )
            #expect(
                table.output.contains(
                    "\nq      3          2       0        0     0     2h      1       2       0        0\n"
                )
            )
            #expect(
                table.output.contains(
                    "\nWAITING  <1m  1m+  5m+  20m+  1h+  4h+  1d+\nq        1    0    0    0     1    0    0\n"
                )
            )

            let overview = try ChildProcess.run("spoolctl", ["--spool", directory.path, "inspect"])
            #expect(overview.status == 0)
            #expect(overview.output.hasPrefix("spool \(directory.path): 7 tasks in 2 queues, at "))
            #expect(
                overview.output.contains("\nq      3        2    0        0     0     2h      0        0\n"),
                "\(overview.output)"
            )
            #expect(overview.output.contains("  r  ko  permanent failure: no\n"))
            let json = try #require(
                try jsonLines(ChildProcess.run("spoolctl", ["--spool", directory.path, "--json", "inspect"]).output)
                    .first
            )
            #expect(json["latest_dead"]?.arrayValue?.first?["id"] == .string("ko"))
            #expect(json["stats"]?["queues"]?.arrayValue?.count == 2 && json["workers"] == .array([]))
        }
    }
}
