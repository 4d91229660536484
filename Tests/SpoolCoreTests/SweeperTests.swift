import SpoolCore
import SpoolSystem
import SpoolTestSupport
import SystemPackage
import Testing

@Suite struct SweeperTests {
    #if ENABLE_MOCKING
    /// A filesystem that fails promotions (`EIO`, `EROFS`): the due files stay where they are and the next
    /// try comes after a backoff, not in a loop; they are promoted once it works again.
    @Test(arguments: [Errno.ioError, Errno.readOnlyFileSystem])
    func aFailedPromotionIsTriedAgainAfterABackoff(_ errno: Errno) throws {
        try TemporarySpool.with { directory in
            let clock = ManualClock(Timestamp(rfc3339: "2026-11-21T10:00:00Z")!)
            let spool = try directory.open(clock: clock)
            let ids = try (0..<5).map { _ in try spool.enqueue(NewTask(type: "t", delay: 1)) }
            let sweeper = Sweeper(spool: spool)
            sweeper.advance(now: clock.now)
            clock.advance(by: 1)
            let faults = SyscallFaults().inject(.fail(errno), into: "renameat2", times: 3)
            let wake = SyscallFaults.withFaults(faults) { sweeper.advance(now: clock.now) }
            #expect(faults.count("renameat2") == 2, "two failures in a row end the pass")
            #expect(wake == clock.now.adding(seconds: 0.5), "the next try waits for the backoff")
            #expect(spool.list(state: .active).isEmpty)
            #expect(sweeper.pendingTimers == 5, "no file is forgotten")
            clock.advance(by: 0.25)
            #expect(SyscallFaults.withFaults(faults) { sweeper.advance(now: clock.now) } == wake)
            #expect(faults.count("renameat2") == 2, "nothing is tried before the backoff ends")
            clock.advance(by: 0.25)
            let next = SyscallFaults.withFaults(faults) { sweeper.advance(now: clock.now) }
            #expect(next == clock.now.adding(seconds: 1), "a second failure waits twice as long")
            clock.advance(by: 1)
            SyscallFaults.withFaults(faults) { _ = sweeper.advance(now: clock.now) }
            #expect(Set(spool.list(state: .active).map(\.id)) == Set(ids))
            #expect(sweeper.pendingTimers == 0)
        }
    }
    #endif

    @Test func promotesEachTaskAtItsDueTime() throws {
        try TemporarySpool.with { directory in
            let clock = ManualClock(Timestamp(rfc3339: "2026-11-21T10:00:00Z")!)
            let spool = try directory.open(clock: clock)
            let soon = try spool.enqueue(NewTask(type: "t", delay: 1.25))
            let later = try spool.enqueue(NewTask(type: "t", delay: 40))
            let nextMinute = try spool.enqueue(NewTask(type: "t", delay: 75))
            let sweeper = Sweeper(spool: spool)
            #expect(sweeper.advance(now: clock.now) == clock.now.adding(seconds: 1.25))
            #expect(spool.list(state: .active).isEmpty)
            clock.advance(by: 1.25)
            #expect(sweeper.advance(now: clock.now) == clock.now.adding(seconds: 38.75))
            #expect(spool.list(state: .active).map(\.id) == [soon])
            clock.advance(by: 38.75)
            #expect(sweeper.advance(now: clock.now) == Timestamp(rfc3339: "2026-11-21T10:01:00Z")!)
            #expect(spool.list(state: .active).map(\.id) == [soon, later])
            #expect(sweeper.pendingTimers == 0, "the next minute's folder is not read before its minute")
            clock.set(Timestamp(rfc3339: "2026-11-21T10:01:00Z")!)
            #expect(sweeper.advance(now: clock.now) == Timestamp(rfc3339: "2026-11-21T10:01:15Z")!)
            clock.advance(by: 15)
            sweeper.advance(now: clock.now)
            #expect(spool.list(state: .active).map(\.id) == [soon, later, nextMinute])
            clock.advance(by: 60)
            sweeper.advance(now: clock.now)
            #expect(
                SpoolFiles.names("\(directory.path)/scheduled/default/20261121").isEmpty,
                "drained minute folders are removed"
            )
        }
    }

    @Test func aClockSteppedBackAcrossMinutesStillPromotesTasksDueInBetween() throws {
        try TemporarySpool.with { directory in
            let clock = ManualClock(Timestamp(rfc3339: "2026-11-21T10:10:30Z")!)
            let spool = try directory.open(clock: clock)
            let sweeper = Sweeper(spool: spool)
            sweeper.advance(now: clock.now)
            // NTP steps the clock back five minutes; a task is then enqueued for a minute that had passed.
            clock.set(Timestamp(rfc3339: "2026-11-21T10:05:30Z")!)
            sweeper.advance(now: clock.now)
            let id = try spool.enqueue(NewTask(type: "t", delay: 60))
            #expect(spool.find(id: id)?.state == .scheduled)
            sweeper.fileArrived(
                in: "scheduled/default/20261121/1006",
                name: "\(try #require(spool.find(id: id)?.due).milliseconds).\(id).json",
                now: clock.now
            )
            clock.advance(by: 30)
            sweeper.advance(now: clock.now)
            clock.advance(by: 30)
            sweeper.advance(now: clock.now)
            #expect(spool.find(id: id)?.state == .active, "promoted at its due time, not after a restart")
            let late = try spool.enqueue(NewTask(type: "t", delay: 150))
            clock.advance(by: 150)
            sweeper.advance(now: clock.now)
            #expect(spool.find(id: late)?.state == .active)
        }
    }

    @Test func startupPromotesEveryLeftoverFolder() throws {
        try TemporarySpool.with { directory in
            let clock = ManualClock(Timestamp(rfc3339: "2026-11-19T23:59:00Z")!)
            let spool = try directory.open(clock: clock)
            var ids: [String] = []
            for delay: Double in [5, 3600, 86400, 172_890] {
                ids.append(try spool.enqueue(NewTask(queue: "q\(ids.count)", type: "t", delay: delay)))
            }
            let future = try spool.enqueue(NewTask(type: "t", delay: 86400 * 3))
            clock.set(Timestamp(rfc3339: "2026-11-22T00:00:00Z")!)
            Sweeper(spool: spool).advance(now: clock.now)
            #expect(Set(spool.list(state: .active).map(\.id)) == Set(ids.prefix(3)))
            clock.advance(by: 30)
            let sweeper = Sweeper(spool: spool)
            sweeper.advance(now: clock.now)
            #expect(Set(spool.list(state: .active).map(\.id)) == Set(ids))
            #expect(spool.list(state: .scheduled).map(\.id) == [future])
            #expect(SpoolFiles.names("\(directory.path)/scheduled/q0").isEmpty, "drained day folders are removed too")
        }
    }

    @Test func lateArrivalInCurrentMinuteGetsATimer() throws {
        try TemporarySpool.with { directory in
            let clock = ManualClock(Timestamp(rfc3339: "2026-11-21T10:00:00Z")!)
            let spool = try directory.open(clock: clock)
            let sweeper = Sweeper(spool: spool)
            sweeper.advance(now: clock.now)
            let id = try spool.enqueue(NewTask(type: "t", delay: 2))
            let folder = "scheduled/default/20261121/1000"
            sweeper.folderCreated(in: "scheduled", name: "default", now: clock.now)
            #expect(sweeper.takeFoldersToWatch().contains(folder))
            #expect(sweeper.pendingTimers == 1)
            sweeper.fileArrived(
                in: folder,
                name: TaskFileName(due: clock.now.adding(seconds: 2), id: id).description,
                now: clock.now
            )
            #expect(sweeper.pendingTimers == 1, "an arrival already known is not timed twice")
            clock.advance(by: 2)
            sweeper.advance(now: clock.now)
            #expect(spool.find(id: id)?.state == .active)
        }
    }

    @Test func twoSweepersPromoteEachTaskOnce() throws {
        try TemporarySpool.with { directory in
            let clock = ManualClock(Timestamp(rfc3339: "2026-11-21T10:00:00Z")!)
            let spool = try directory.open(clock: clock)
            for index in 0..<100 { try spool.enqueue(NewTask(type: "t", delay: 1 + Double(index) / 10)) }
            let other = try directory.open(clock: clock, worker: WorkerName(host: "other", pid: 9, startTicks: 9))
            let sweepers = [Sweeper(spool: spool), Sweeper(spool: other)]
            for _ in 0..<12 {
                for sweeper in sweepers { sweeper.advance(now: clock.now) }
                clock.advance(by: 1)
            }
            #expect(SpoolFiles.names("\(directory.path)/active/default").count == 100)
            #expect(spool.list(state: .scheduled).isEmpty)
        }
    }
}
