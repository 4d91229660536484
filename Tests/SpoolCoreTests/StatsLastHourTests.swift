import SpoolCore
import SpoolSystem
import SpoolTestSupport
import SystemPackage
import Testing

/// The finishes of the last hour that `stats` counts: a folder whose hour lies wholly in the last one by
/// name, the folder whose hour straddles its start by each file's last write, older folders not at all.
@Suite struct StatsLastHourTests {
    @Test func countsFinishesByFolderAndOnlyTheStraddlingOneByTime() throws {
        try TemporarySpool.with { directory in
            let start = try #require(Timestamp(rfc3339: "2026-03-02T08:40:00Z"))
            let clock = ManualClock(start)
            let spool = try directory.open(
                configuration: SpoolConfiguration(doneRetention: 86_400, deadRetention: 86_400),
                clock: clock
            )
            let root = try FileDescriptor.openDirectory(directory.path)
            defer { root.closeQuietly() }
            // Finished at 08:40 and 09:10 (before the last hour), 09:40 and 10:10 (in it); now is 10:30.
            let finishes: [(id: String, at: String, succeeded: Bool)] = [
                ("old", "2026-03-02T08:40:00Z", true), ("early", "2026-03-02T09:10:00Z", false),
                ("recent", "2026-03-02T09:40:00Z", true), ("latest", "2026-03-02T10:10:00Z", false),
                ("now", "2026-03-02T10:29:00Z", true),
            ]
            for finish in finishes {
                let time = try #require(Timestamp(rfc3339: finish.at))
                clock.set(time)
                try spool.enqueue(NewTask(id: finish.id, queue: "q", type: "t"))
                let task = try #require(try spool.claimNext(queue: "q"))
                if finish.succeeded {
                    try spool.complete(task)
                } else {
                    try spool.fail(task, error: "no", permanent: true)
                }
                let location = try #require(spool.find(id: finish.id))
                try Syscall.setModificationTime(
                    location.path,
                    in: root,
                    to: FileTime(milliseconds: time.milliseconds)
                )
            }
            clock.set(try #require(Timestamp(rfc3339: "2026-03-02T10:30:00Z")))
            let counts = try #require(spool.stats().queues.first { $0.queue == "q" })
            #expect(counts[.done] == 3 && counts[.dead] == 2)
            #expect(counts.doneLastHour == 2, "recent and now")
            #expect(counts.deadLastHour == 1, "latest")
        }
    }
}
