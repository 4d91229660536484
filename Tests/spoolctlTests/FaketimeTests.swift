import SpoolCore
import SpoolTestSupport
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// The real daemon under libfaketime: its wall clock two days ahead, then an hour back from there. Due
/// tasks burst, none runs twice, deadlines and retention apply once.
@Suite(.timeLimit(.minutes(2))) struct FaketimeTests {
    @Test func twoDaysAheadThenAnHourBack() async throws {
        try await TemporarySpool.with { directory in
            let log = "\(directory.path)/runs.log"
            try writeScript("\(directory.path)/run.sh", #"echo "$SPOOL_TASK_ID" >> "\#(log)""#)
            try SpoolFiles.write(
                """
                janitor_interval: 1s
                queues: {default: {handler: run}}
                handlers:
                  run: {exec: ["\(directory.path)/run.sh"]}
                """,
                to: "\(directory.path)/spool.yaml"
            )
            let spool = try directory.open()
            let now = SystemClock().now
            let tomorrow = try spool.enqueue(NewTask(type: "t", delay: 86_400))
            let later = try spool.enqueue(NewTask(type: "t", delay: 3 * 86_400))
            let expiring = try spool.enqueue(
                NewTask(type: "t", runAt: now.adding(seconds: 7200), deadline: now.adding(seconds: 3600))
            )
            let finished = try spool.enqueue(NewTask(type: "t", retention: 3600))
            let name = try #require(try spool.oldestActive(queue: "default", limit: 1).names.first)
            try spool.complete(#require(try spool.claim(name, queue: "default")))

            let ahead = try fakedSpoold("+2d", "--spool", directory.path)
            #expect(
                await eventually {
                    spool.find(id: tomorrow)?.state == .done && spool.find(id: expiring)?.state == .dead
                }
            )
            #expect(await eventually { spool.find(id: finished) == nil }, "purged past its retention")
            stopFaked(ahead)
            #expect(await ahead.wait() == 0, "\(ahead.errorOutput)")

            let back = try fakedSpoold("+47h", "--spool", directory.path)
            #expect(await eventually { back.errorOutput.contains("spool open") })
            try await Task.sleep(for: .seconds(2))
            stopFaked(back)
            #expect(await back.wait() == 0, "\(back.errorOutput)")

            let runs = String(decoding: (try? SpoolFiles.read(log)) ?? [], as: UTF8.self).split(separator: "\n")
            #expect(runs == [Substring(tomorrow)], "each due task ran once; the expired one never")
            #expect(spool.find(id: later)?.state == .scheduled)
            #expect(try spool.record(at: #require(spool.find(id: expiring))).stateReason?.hasPrefix("deadline") == true)
        }
    }
}
