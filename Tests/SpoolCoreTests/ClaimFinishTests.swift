import SpoolCore
import SpoolSystem
import SpoolTestSupport
import SystemPackage
import Testing

@Suite struct ClaimFinishTests {

    @Test func claimsOldestFirstAndSetsLease() throws {
        try TemporarySpool.with { directory in
            let clock = ManualClock()
            let spool = try directory.open(configuration: SpoolConfiguration(leaseDuration: 30), clock: clock)
            let first = try spool.enqueue(NewTask(type: "t", runAt: clock.now.adding(seconds: -10)))
            let second = try spool.enqueue(NewTask(type: "t"))
            let task = try #require(try spool.claimNext())
            #expect(task.record.id == first)
            #expect(task.attempt == 1)
            let path = "\(directory.path)/\(task.folder)/\(task.fileName)"
            let status = try Syscall.status(path, in: .currentWorkingDirectory)
            #expect(status.modificationTime.milliseconds == clock.now.adding(seconds: 30).milliseconds)
            #expect(try spool.claimNext()?.record.id == second)
            #expect(try spool.claimNext() == nil)
        }
    }

    @Test func losingClaimerGetsNil() throws {
        try TemporarySpool.with { directory in
            let spool = try directory.open()
            try spool.enqueue(NewTask(type: "t"))
            let name = try #require(try spool.oldestActive(queue: "default", limit: 1).names.first)
            let other = try directory.open(worker: WorkerName(host: "other", pid: 1, startTicks: 1))
            #expect(try other.claim(name, queue: "default") != nil)
            #expect(try spool.claim(name, queue: "default") == nil)
            guard case .taken = try spool.attemptClaim(name, queue: "default") else {
                Issue.record("a claim lost to another process is told apart")
                return
            }
        }
    }

    @Test func claimOutcomeTellsAFileFinishedWithoutRunning() throws {
        try TemporarySpool.with { directory in
            let clock = ManualClock()
            let spool = try directory.open(clock: clock)
            let late = try spool.enqueue(NewTask(type: "t", deadline: clock.now.adding(seconds: 1)))
            let name = try #require(try spool.oldestActive(queue: "default", limit: 1).names.first)
            clock.advance(by: 2)
            guard case .finishedWithoutRunning = try spool.attemptClaim(name, queue: "default") else {
                Issue.record("a task past its deadline is finished, not handed out")
                return
            }
            #expect(spool.find(id: late)?.state == .dead)
            try spool.enqueue(NewTask(type: "t"))
            let next = try #require(try spool.oldestActive(queue: "default", limit: 1).names.first)
            guard case .claimed(let task) = try spool.attemptClaim(next, queue: "default") else {
                Issue.record("a waiting task is claimed")
                return
            }
            #expect(task.fileName == next)
        }
    }

    @Test func oldestActiveKeepsOnlyTheSmallest() throws {
        try TemporarySpool.with { directory in
            let clock = ManualClock()
            let spool = try directory.open(configuration: SpoolConfiguration(durability: .none), clock: clock)
            var ids: [String] = []
            for offset in (0..<50).reversed() {
                ids.append(try spool.enqueue(NewTask(type: "t", runAt: clock.now.adding(seconds: -Double(offset)))))
            }
            let (names, complete) = try spool.oldestActive(queue: "default", limit: 5)
            #expect(!complete)
            #expect(names.map(\.id) == Array(ids.prefix(5)))
            #expect(try spool.oldestActive(queue: "default", limit: 50).complete)
        }
    }

    @Test func successWithResultIsRewrittenIntoDone() throws {
        try TemporarySpool.with { directory in
            let clock = ManualClock(Timestamp(rfc3339: "2026-11-21T10:00:00Z")!)
            let spool = try directory.open(clock: clock)
            let id = try spool.enqueue(NewTask(type: "t", retention: 86400))
            let task = try #require(try spool.claimNext())
            try spool.complete(task, result: .object([JSONMember("sent", .bool(true))]))
            #expect(SpoolFiles.names("\(directory.path)/done/default/2026112210") == ["\(id).json"])
            let record = try spool.record(at: #require(spool.find(id: id)))
            #expect(record.result == .object([JSONMember("sent", .bool(true))]))
            #expect(record.finishedAt == clock.now)
            #expect(SpoolFiles.names("\(directory.path)/\(task.folder)").isEmpty)
            DeferredUnlink.waitUntilIdle()  // the old content of each rewrite
            #expect(SpoolFiles.names("\(directory.path)/tmp").isEmpty)
        }
    }

    @Test func successWithoutResultIsABareRename() throws {
        try TemporarySpool.with { directory in
            let spool = try directory.open()
            try spool.enqueue(NewTask(type: "t"))
            let task = try #require(try spool.claimNext())
            let before = try Syscall.status(
                "\(directory.path)/\(task.folder)/\(task.fileName)",
                in: .currentWorkingDirectory
            )
            let faults = SyscallFaults()
            try SyscallFaults.withFaults(faults) { try spool.complete(task) }
            #expect(faults.count("write") == 0, "no file written")
            let location = try #require(spool.find(id: task.record.id))
            let after = try Syscall.status("\(directory.path)/\(location.path)", in: .currentWorkingDirectory)
            #expect(after.inode == before.inode)
        }
    }

    @Test func aQueuesRetentionAppliesWhenTheTaskSetsNone() throws {
        try TemporarySpool.with { directory in
            let clock = ManualClock(Timestamp(rfc3339: "2026-11-21T23:30:00Z")!)
            var configuration = SpoolConfiguration()
            configuration.queueRetention["short"] = (done: 3600, dead: nil)
            let spool = try directory.open(configuration: configuration, clock: clock)
            let short = try spool.enqueue(NewTask(queue: "short", type: "t"))
            let own = try spool.enqueue(NewTask(queue: "short", type: "t", retention: 0))
            let failing = try spool.enqueue(NewTask(queue: "short", type: "t"))
            let plain = try spool.enqueue(NewTask(type: "t"))
            for queue in ["short", "short", "short", "default"] {
                let task = try #require(try spool.claimNext(queue: queue))
                if task.record.id == failing {
                    try spool.fail(task, error: "no", permanent: true)
                } else {
                    try spool.complete(task)
                }
            }
            #expect(spool.find(id: short)?.path == "done/short/2026112200/\(short).json", "an hour")
            #expect(spool.find(id: own)?.path == "done/short/2026112123/\(own).json", "the task's own")
            #expect(
                spool.find(id: failing)?.path == "dead/short/2026122123/\(failing).json",
                "the spool's dead default"
            )
            #expect(spool.find(id: plain)?.path == "done/default/2026112823/\(plain).json", "the spool's done default")
        }
    }

    @Test func aTieredScheduleIsNotCutShortByTheDefaultAttemptLimit() throws {
        try TemporarySpool.with { directory in
            let clock = ManualClock(Timestamp(rfc3339: "2026-11-21T10:00:00Z")!)
            let spool = try directory.open(clock: clock)
            // 30 retries every minute, then 10 every 10 minutes: 41 attempts, more than the default 25.
            let tiers = Backoff.tiers([BackoffTier(every: 60, for: 1800), BackoffTier(every: 600, for: 6000)])
            let id = try spool.enqueue(NewTask(type: "t", backoff: tiers))
            var outcomes: [FailureOutcome] = []
            while let task = try spool.claimNext() {
                outcomes.append(try spool.fail(task, error: "down"))
                clock.advance(by: 600)
                Sweeper(spool: spool).advance(now: clock.now)
            }
            #expect(outcomes.count == 41)
            #expect(outcomes.last == .dead(reason: "retry schedule spent after 41 attempts"))
            // A limit the task sets still holds.
            let limited = try spool.enqueue(NewTask(type: "t", maxAttempts: 2, backoff: tiers))
            #expect(try spool.fail(#require(try spool.claimNext()), error: "x") != .dead(reason: ""))
            clock.advance(by: 60)
            Sweeper(spool: spool).advance(now: clock.now)
            #expect(
                try spool.fail(#require(try spool.claimNext()), error: "x") == .dead(reason: "attempts spent (2 of 2)")
            )
            #expect(spool.find(id: id)?.state == .dead && spool.find(id: limited)?.state == .dead)
        }
    }

    @Test func failureRecordsAttemptAndFollowsBackoffTable() throws {
        try TemporarySpool.with { directory in
            let clock = ManualClock(Timestamp(rfc3339: "2026-11-21T10:00:00Z")!)
            let spool = try directory.open(clock: clock)
            let id = try spool.enqueue(NewTask(type: "t", maxAttempts: 3, backoff: .table([5, 120])))
            var task = try #require(try spool.claimNext())
            #expect(try spool.fail(task, error: "smtp down") == .retry(at: clock.now.adding(seconds: 5)))
            #expect(spool.find(id: id)?.state == .scheduled)
            #expect(SpoolFiles.names("\(directory.path)/scheduled/default/20261121/1000").count == 1)
            clock.advance(by: 5)
            Sweeper(spool: spool).advance(now: clock.now)
            task = try #require(try spool.claimNext())
            #expect(task.attempt == 2)
            #expect(task.record.attempts.first?.error == "smtp down")
            #expect(task.record.attempts.first?.worker == "\(WorkerName.current)")
            #expect(try spool.fail(task, error: "again") == .retry(at: clock.now.adding(seconds: 120)))
            #expect(SpoolFiles.names("\(directory.path)/scheduled/default/20261121/1002").count == 1)
            clock.advance(by: 120)
            Sweeper(spool: spool).advance(now: clock.now)
            task = try #require(try spool.claimNext())
            #expect(try spool.fail(task, error: "last") == .dead(reason: "attempts spent (3 of 3)"))
            let record = try spool.record(at: #require(spool.find(id: id)))
            #expect(spool.find(id: id)?.state == .dead)
            #expect(record.attempts.map(\.error) == ["smtp down", "again", "last"])
            #expect(record.stateReason == "attempts spent (3 of 3)")
        }
    }

    @Test func handlerChosenDelayAndPermanentFailure() throws {
        try TemporarySpool.with { directory in
            let clock = ManualClock()
            let spool = try directory.open(clock: clock)
            try spool.enqueue(NewTask(type: "t"))
            var task = try #require(try spool.claimNext())
            #expect(try spool.fail(task, error: "busy", retryAfter: 0) == .retry(at: clock.now))
            task = try #require(try spool.claimNext(), "a zero delay goes straight back to active/")
            #expect(
                try spool.fail(task, error: "bad input", permanent: true)
                    == .dead(reason: "permanent failure: bad input")
            )
        }
    }

    @Test func deadlineStopsRetriesAndClaims() throws {
        try TemporarySpool.with { directory in
            let clock = ManualClock()
            let spool = try directory.open(clock: clock)
            let id = try spool.enqueue(
                NewTask(type: "t", backoff: .table([60]), deadline: clock.now.adding(seconds: 30))
            )
            let task = try #require(try spool.claimNext())
            guard case .dead(let reason) = try spool.fail(task, error: "x") else {
                Issue.record("expected dead")
                return
            }
            #expect(reason.hasPrefix("deadline"))
            let late = try spool.enqueue(NewTask(type: "t", deadline: clock.now.adding(seconds: 1)))
            clock.advance(by: 2)
            #expect(try spool.claimNext() == nil, "a task past its deadline is not handed out")
            #expect(spool.find(id: late)?.state == .dead)
            #expect(spool.find(id: id)?.state == .dead)
        }
    }

    @Test func heartbeatPushesLeaseUntilTimeout() throws {
        try TemporarySpool.with { directory in
            let clock = ManualClock()
            let spool = try directory.open(configuration: SpoolConfiguration(leaseDuration: 30), clock: clock)
            try spool.enqueue(NewTask(type: "t", timeout: 60))
            let task = try #require(try spool.claimNext())
            let path = "\(directory.path)/\(task.folder)/\(task.fileName)"
            clock.advance(by: 20)
            try spool.heartbeat(task)
            #expect(
                try Syscall.status(path, in: .currentWorkingDirectory).modificationTime.milliseconds
                    == clock.now.adding(seconds: 30).milliseconds
            )
            clock.advance(by: 100)
            try spool.heartbeat(task)
            let cap = task.claimedAt!.adding(seconds: 90)
            #expect(
                try Syscall.status(path, in: .currentWorkingDirectory).modificationTime.milliseconds == cap.milliseconds
            )
        }
    }

    @Test func handBackKeepsPlaceAndAttemptCount() throws {
        try TemporarySpool.with { directory in
            let spool = try directory.open()
            try spool.enqueue(NewTask(type: "t"))
            let task = try #require(try spool.claimNext())
            try spool.handBack(task)
            let again = try #require(try spool.claimNext())
            #expect(again.fileName == task.fileName)
            #expect(again.attempt == 1)
        }
    }

    /// A claimed file that cannot be read (out of descriptors) goes back to `active/` as it was: no lease of
    /// this process holds a task it does not run, which its own janitor would never take back.
    @Test func aClaimThatCannotReadItsFileGivesItBack() throws {
        try TemporarySpool.with { directory in
            let spool = try directory.open()
            try spool.enqueue(NewTask(id: "a-warm", type: "t"))
            try spool.enqueue(NewTask(id: "b-unread", type: "t"))
            // The first claim opens the folders, so that the next claim's only `openat` is its read.
            let warm = try #require(try spool.claimNext())
            #expect(warm.record.id == "a-warm")
            let name = try #require(try spool.oldestActive(queue: "default", limit: 1).names.first)
            let faults = SyscallFaults().inject(.fail(.tooManyOpenFiles), into: "openat")
            #expect {
                try SyscallFaults.withFaults(faults) { try spool.attemptClaim(name, queue: "default") }
            } throws: { ($0 as? SpoolError)?.cause == .tooManyOpenFiles }
            #expect(faults.count("openat") == 1)
            #expect(spool.find(id: "b-unread")?.state == .active)
            let again = try #require(try spool.claimNext())
            #expect(again.record.id == "b-unread")
            #expect(again.attempt == 1)
        }
    }

    @Test func finishingAfterLosingTheLeaseFails() throws {
        try TemporarySpool.with { directory in
            let clock = ManualClock()
            let spool = try directory.open(configuration: SpoolConfiguration(leaseDuration: 10), clock: clock)
            try spool.enqueue(NewTask(type: "t"))
            let task = try #require(try spool.claimNext())
            clock.advance(by: 11)
            let janitor = try directory.open(clock: clock, worker: WorkerName(host: "janitor", pid: 2, startTicks: 2))
            #expect(janitor.runJanitor().expiredLeases == 1)
            #expect { try spool.complete(task, result: .null) } throws: { ($0 as? SpoolError)?.code == .leaseLost }
            #expect { try spool.complete(task) } throws: { ($0 as? SpoolError)?.code == .leaseLost }
            #expect(spool.list().map(\.state) == [.scheduled], "the task is in exactly one place")
        }
    }

    @Test func corruptActiveFileIsQuarantined() throws {
        try TemporarySpool.with { directory in
            let spool = try directory.open()
            try SpoolFiles.makeDirectory("\(directory.path)/active/default")
            try SpoolFiles.write("garbage", to: "\(directory.path)/active/default/0000000000001.broken.json")
            #expect(try spool.claimNext() == nil)
            #expect(
                SpoolFiles.names("\(directory.path)/rejected") == [
                    "0000000000001.broken.json", "0000000000001.broken.json.reason",
                ]
            )
        }
    }
}
