import SpoolCore
import SpoolTestSupport
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// A queue's rate limit holds across worker processes: two `spoold --mode worker` share one bucket.
@Suite(.timeLimit(.minutes(2))) struct RateLimitDaemonTests {
    @Test func twoWorkersTogetherKeepToTheQueuesRate() async throws {
        try await TemporarySpool.with { directory in
            let log = "\(directory.path)/runs.log"
            try writeScript("\(directory.path)/run.sh", "cat >/dev/null; date +%s%N >> \(log)")
            try SpoolFiles.write(
                """
                durability: none
                queues:
                  limited: {concurrency: 8, handler: run, rate: {per_second: 10, burst: 1}}
                handlers: {run: {exec: ["\(directory.path)/run.sh"]}}
                """,
                to: "\(directory.path)/spool.yaml"
            )
            let spool = try directory.open(configuration: SpoolConfiguration(durability: .none))
            for _ in 0..<20 { try spool.enqueue(NewTask(queue: "limited", type: "t")) }
            let daemons = try (0..<2).map { _ in
                try ChildProcess("spoold", ["--spool", directory.path, "--mode", "worker", "--log-level", "warning"])
            }
            defer { for daemon in daemons { daemon.send(SIGKILL) } }
            #expect(await eventually(within: 30) { lines(of: log).count >= 20 })
            let starts = lines(of: log).compactMap { Int64($0) }.map { Double($0) / 1e9 }.sorted()
            #expect(starts.count == 20)
            // 20 tasks at 10 a second with no burst: about two seconds, never more than 10 in any second
            // (11 with the edges of a window and process start-up spread).
            let span = (starts.last ?? 0) - (starts.first ?? 0)
            #expect(span >= 1.7, "all 20 ran within \(span) s")
            for (index, start) in starts.enumerated() {
                let inSecond = starts[index...].prefix { $0 < start + 1 }.count
                #expect(inSecond <= 11, "\(inSecond) runs within a second from \(start)")
            }
        }
    }
}
