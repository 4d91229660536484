import SpoolCore
import SpoolSystem
import SpoolTestSupport
import Testing

#if canImport(Glibc)
@preconcurrency import Glibc
#endif

/// A power loss on btrfs can bring back a task's name from before a rename (see `Spool+SecondCopies`):
/// each case builds the state it leaves, by a hard link (the same file) or a copy of the old content (a
/// rewrite's old version), and checks that recovery keeps the task in one place, where its history
/// reached last, and runs nothing twice.
///
/// A name is taken to be from before a reboot when it last changed before the boot time, which these
/// tests move to just after they built the state; so they run one at a time.
@Suite(.serialized) struct RestoredNameTests {
    static let gone = WorkerName(host: WorkerName.current.host, pid: Int32.max - 5, startTicks: 1)

    /// Runs `body` as if the host had booted after everything made so far.
    private func afterReboot<R>(_ body: () throws -> R) rethrows -> R {
        usleep(2_000)
        LocalProcess.assumeBoot(at: SystemClock().now.milliseconds)
        defer { LocalProcess.assumeBoot(at: 0) }
        return try body()
    }

    /// A task that succeeded without a result (a bare rename: the same file), its name from before its
    /// claim back in `active/` as a second name.
    private func finishedWithItsNameBack(_ directory: TemporarySpool) throws -> (Spool, String) {
        let spool = try directory.open()
        let id = try spool.enqueue(NewTask(type: "t"))
        let name = try #require(try spool.oldestActive(queue: "default", limit: 1).names.first)
        try spool.complete(#require(try spool.claim(name, queue: "default")))
        let done = "\(directory.path)/\(try #require(spool.find(id: id)).path)"
        #expect(link(done, "\(directory.path)/active/default/\(name)") == 0, "the old name, back")
        return (spool, id)
    }

    /// A task that succeeded with a result (a rewrite: another file), and its file from before, back in
    /// `active/` under its old name.
    private func finishedWithItsOldVersionBack(_ directory: TemporarySpool) throws -> (Spool, String, TaskFileName) {
        let spool = try directory.open()
        let id = try spool.enqueue(NewTask(type: "t"))
        let name = try #require(try spool.oldestActive(queue: "default", limit: 1).names.first)
        let active = "\(directory.path)/active/default/\(name)"
        let old = try SpoolFiles.read(active)
        try spool.complete(#require(try spool.claim(name, queue: "default")), result: .string("ok"))
        try SpoolFiles.write(old, to: active)
        return (spool, id, name)
    }

    private func pendingFiles(_ directory: TemporarySpool) -> [String] {
        (SpoolFiles.files(under: "\(directory.path)/active") + SpoolFiles.files(under: "\(directory.path)/scheduled"))
            .filter { $0.hasSuffix(".json") }
    }

    @Test func aFinishedTasksOldNameInActiveGoesAtStart() throws {
        try TemporarySpool.with { directory in
            let (spool, id) = try finishedWithItsNameBack(directory)
            let report = afterReboot { spool.runJanitor(atStart: true) }
            #expect(report.staleCopies == 1)
            #expect(pendingFiles(directory).isEmpty, "the task does not run again")
            #expect(spool.find(id: id)?.state == .done)
        }
    }

    @Test func aFinishedTasksOldVersionInActiveGoesAtStart() throws {
        try TemporarySpool.with { directory in
            let spool = try directory.open()
            let ids = try (0..<3).map { _ in try spool.enqueue(NewTask(type: "t")) }
            let names = try spool.oldestActive(queue: "default", limit: 3).names
            let old = try names.map { try SpoolFiles.read("\(directory.path)/active/default/\($0)") }
            for name in names {
                try spool.complete(#require(try spool.claim(name, queue: "default")), result: .string("ok"))
            }
            // The first one's old version comes back (another file: the finish rewrote it).
            try SpoolFiles.write(old[0], to: "\(directory.path)/active/default/\(names[0])")
            let report = afterReboot { spool.runJanitor(atStart: true) }
            #expect(report.staleCopies == 1)
            #expect(pendingFiles(directory).isEmpty)
            #expect(ids.allSatisfy { spool.find(id: $0)?.state == .done })
        }
    }

    @Test func aLaterJanitorPassLeavesNamesAlone() throws {
        try TemporarySpool.with { directory in
            let (spool, _) = try finishedWithItsNameBack(directory)
            // Made in this boot: no power loss can have brought it back, and only the first pass looks.
            #expect(spool.runJanitor(atStart: true).staleCopies == 0)
            #expect(afterReboot { spool.runJanitor() }.staleCopies == 0)
            #expect(pendingFiles(directory).count == 1)
        }
    }

    @Test func aClaimOfAFinishedTasksOldVersionRunsNothing() throws {
        try TemporarySpool.with { directory in
            let (spool, id, name) = try finishedWithItsOldVersionBack(directory)
            let claimed = try afterReboot { try spool.attemptClaim(name, queue: "default") }
            guard case .finishedWithoutRunning = claimed else {
                Issue.record("the old version was claimed to run: \(claimed)")
                return
            }
            #expect(pendingFiles(directory).isEmpty)
            #expect(!SpoolFiles.files(under: "\(directory.path)/running").contains { $0.hasSuffix(".json") })
            #expect(spool.find(id: id)?.state == .done)
        }
    }

    @Test func aClaimOfAnOldVersionRunsItWhenTheFinishedCopyIsTorn() throws {
        try TemporarySpool.with { directory in
            let (spool, id, name) = try finishedWithItsOldVersionBack(directory)
            let done = try #require(
                SpoolFiles.files(under: "\(directory.path)/done").first { $0.hasSuffix("\(id).json") }
            )
            try SpoolFiles.write([], to: "\(directory.path)/done/\(done)")
            let claimed = try afterReboot { try spool.attemptClaim(name, queue: "default") }
            guard case .claimed = claimed else {
                Issue.record("the only whole copy was not run: \(claimed)")
                return
            }
        }
    }

    @Test func aPromotionOfAFinishedTasksOldNameRunsNothing() throws {
        try TemporarySpool.with { directory in
            let clock = ManualClock()
            let spool = try directory.open(clock: clock)
            let id = try spool.enqueue(NewTask(type: "t", delay: 90))
            let scheduled = try #require(SpoolFiles.files(under: "\(directory.path)/scheduled").first)
            let old = try SpoolFiles.read("\(directory.path)/scheduled/\(scheduled)")
            clock.advance(by: 120)
            Sweeper(spool: spool).advance(now: clock.now)
            let name = try #require(try spool.oldestActive(queue: "default", limit: 1).names.first)
            try spool.complete(try #require(try spool.claim(name, queue: "default")), result: .string("ok"))
            // The minute folder too, if its sweep removed it.
            _ = mkdir(
                "\(directory.path)/scheduled/\(scheduled.split(separator: "/").dropLast().joined(separator: "/"))",
                0o755
            )
            try SpoolFiles.write(old, to: "\(directory.path)/scheduled/\(scheduled)")
            afterReboot { _ = Sweeper(spool: spool).advance(now: clock.now) }
            #expect(pendingFiles(directory).isEmpty, "the old version is not promoted")
            #expect(spool.find(id: id)?.state == .done)
        }
    }

    /// Refused by `RENAME_NOREPLACE`, which btrfs (where a power loss leaves such names) has; a plain rename
    /// between two names of one file succeeds and changes nothing.
    @Test(.enabled(if: LocalProcess.environment(Spool.renameFlagsVariable) != "off"))
    func aPromotedTasksOldNameInScheduledGoes() throws {
        try TemporarySpool.with { directory in
            let clock = ManualClock()
            let spool = try directory.open(clock: clock)
            try spool.enqueue(NewTask(type: "t", delay: 90))
            let scheduled = try #require(SpoolFiles.files(under: "\(directory.path)/scheduled").first)
            let name = String(scheduled.split(separator: "/").last!)
            _ = mkdir("\(directory.path)/active/default", 0o755)
            #expect(link("\(directory.path)/scheduled/\(scheduled)", "\(directory.path)/active/default/\(name)") == 0)
            clock.advance(by: 120)
            Sweeper(spool: spool).advance(now: clock.now)
            #expect(pendingFiles(directory) == ["default/\(name)"])
            #expect(SpoolFiles.files(under: "\(directory.path)/scheduled").isEmpty)
            #expect(SpoolFiles.names("\(directory.path)/rejected").isEmpty)
        }
    }

    @Test func aRetriedTasksOldNameInRunningIsRemovedNotReturned() throws {
        try TemporarySpool.with { directory in
            let lost = try directory.open(worker: RestoredNameTests.gone)
            let id = try lost.enqueue(NewTask(type: "t"))
            let name = try #require(try lost.oldestActive(queue: "default", limit: 1).names.first)
            let task = try #require(try lost.claim(name, queue: "default"))
            let running = "\(directory.path)/\(task.folder)/\(task.fileName)"
            let old = try SpoolFiles.read(running)
            try lost.fail(task, error: "boom", retryAfter: 3600)
            try SpoolFiles.write(old, to: running)
            let report = try afterReboot { try directory.open().runJanitor() }
            #expect(report.orphanedLeases == 0, "the retry's copy is the task")
            #expect(!SpoolFiles.files(under: "\(directory.path)/running").contains { $0.hasSuffix(".json") })
            #expect(pendingFiles(directory).count == 1)
            #expect(try lost.record(at: #require(lost.find(id: id))).attempts.count == 1)
        }
    }

    @Test func aClaimedTasksOldNameInActiveGoesAndTheLostAttemptCounts() throws {
        try TemporarySpool.with { directory in
            let lost = try directory.open(worker: RestoredNameTests.gone)
            let id = try lost.enqueue(NewTask(type: "t"))
            let name = try #require(try lost.oldestActive(queue: "default", limit: 1).names.first)
            let task = try #require(try lost.claim(name, queue: "default"))
            let running = "\(directory.path)/\(task.folder)/\(task.fileName)"
            #expect(link(running, "\(directory.path)/active/default/\(name)") == 0)
            let report = try afterReboot { try directory.open().runJanitor() }
            #expect(report.orphanedLeases == 1)
            #expect(pendingFiles(directory).count == 1, "\(pendingFiles(directory))")
            #expect(try lost.record(at: #require(lost.find(id: id))).attempts.count == 1)
        }
    }

    @Test func anIngestedDropsOldStagingNameIsNotIngestedAgain() throws {
        try TemporarySpool.with { directory in
            let spool = try directory.open(worker: RestoredNameTests.gone)
            try SpoolFiles.write(#"{"type":"t"}"#, to: "\(directory.path)/incoming/a.json")
            guard case .accepted(let id, _) = try spool.ingest("a.json") else {
                Issue.record("not ingested")
                return
            }
            let placed = "\(directory.path)/\(try #require(spool.find(id: id)).path)"
            let staged = "in.\(RestoredNameTests.gone).1.a.json"
            #expect(link(placed, "\(directory.path)/tmp/\(staged)") == 0, "the staging name, back")
            let report = try directory.open().runJanitor()
            #expect(report.resumedDrops == 0 && report.staleCopies == 1, "\(report)")
            #expect(SpoolFiles.names("\(directory.path)/tmp").isEmpty)
            #expect(SpoolFiles.files(under: "\(directory.path)/rejected").isEmpty, "no false duplicate")
            #expect(pendingFiles(directory).count == 1)
        }
    }

    @Test func anEnqueuesOldStagingNameKeepsTheReservationOfItsFinishedTask() throws {
        try TemporarySpool.with { directory in
            let spool = try directory.open(worker: RestoredNameTests.gone)
            let id = try spool.enqueue(NewTask(id: "order-1", type: "t"))
            let reservation = "\(directory.path)/ids/order-1"
            let staged = try #require(SpoolFiles.readLink(reservation)?.split(separator: "/").last.map(String.init))
            let name = try #require(try spool.oldestActive(queue: "default", limit: 1).names.first)
            let old = try SpoolFiles.read("\(directory.path)/active/default/\(name)")
            // Finished with a result: the task is another file now, and its staging name comes back alone.
            try spool.complete(#require(try spool.claim(name, queue: "default")), result: .string("ok"))
            try SpoolFiles.write(old, to: "\(directory.path)/tmp/\(staged)")
            let report = try afterReboot { try directory.open().runJanitor(atStart: true) }
            #expect(report.staleCopies == 1 && report.discardedWrites == 0, "\(report)")
            #expect(SpoolFiles.names("\(directory.path)/tmp").isEmpty)
            #expect(SpoolFiles.readLink(reservation) != nil, "the finished task still holds its id")
            #expect(throws: SpoolError.self) { try spool.enqueue(NewTask(id: id, type: "t")) }
            #expect(spool.find(id: id)?.state == .done)
        }
    }

    @Test func aStagedWriteFromBeforeTheBootThatWasNeverPlacedReleasesItsReservation() throws {
        try TemporarySpool.with { directory in
            let spool = try directory.open(worker: RestoredNameTests.gone)
            try spool.enqueue(NewTask(id: "order-2", type: "t"))
            let reservation = "\(directory.path)/ids/order-2"
            let staged = try #require(SpoolFiles.readLink(reservation)?.split(separator: "/").last.map(String.init))
            let location = try #require(spool.find(id: "order-2"))
            // As if the enqueue had died before its rename: the task only in tmp/.
            #expect(rename("\(directory.path)/\(location.path)", "\(directory.path)/tmp/\(staged)") == 0)
            let report = try afterReboot { try directory.open().runJanitor(atStart: true) }
            #expect(report.discardedWrites == 1 && report.staleCopies == 0, "\(report)")
            #expect(SpoolFiles.readLink(reservation) == nil, "the enqueue never returned: its id is free again")
        }
    }

    /// Seen in the power-loss soak on btrfs: a task claimed from `active/` and retried (rewritten, then moved
    /// to a later minute of `scheduled/`), its name from before the claim back in `active/`.
    @Test func aRetriedTasksOldVersionInActiveGoesAndTheRetryStays() throws {
        try TemporarySpool.with { directory in
            let clock = ManualClock()
            let spool = try directory.open(clock: clock)
            let id = try spool.enqueue(NewTask(type: "t", backoff: .table([3600])))
            let name = try #require(try spool.oldestActive(queue: "default", limit: 1).names.first)
            let old = try SpoolFiles.read("\(directory.path)/active/default/\(name)")
            try spool.fail(#require(try spool.claim(name, queue: "default")), error: "boom")
            #expect(spool.find(id: id)?.state == .scheduled)
            try SpoolFiles.write(old, to: "\(directory.path)/active/default/\(name)")
            let report = try afterReboot { try directory.open(clock: clock).runJanitor(atStart: true) }
            #expect(report.staleCopies == 1, "\(report)")
            #expect(pendingFiles(directory).count == 1)
            let location = try #require(spool.find(id: id))
            #expect(location.state == .scheduled)
            #expect(try spool.record(at: location).attempts.count == 1, "the retry's version, with its attempt")
        }
    }
}
