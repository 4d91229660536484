import SpoolCore
import SpoolSystem
import SpoolTestSupport
import Testing

@Suite struct JanitorTests {
    /// A worker name for a process on this host that no longer runs.
    static let goneWorker = WorkerName(host: WorkerName.current.host, pid: Int32.max - 7, startTicks: 1)

    @Test func expiredLeaseReturnsAsFailedAttempt() throws {
        try TemporarySpool.with { directory in
            let clock = ManualClock()
            let spool = try directory.open(configuration: SpoolConfiguration(leaseDuration: 30), clock: clock)
            let id = try spool.enqueue(NewTask(type: "t", backoff: .table([0])))
            let task = try #require(try spool.claimNext())
            clock.advance(by: 29)
            #expect(spool.runJanitor() == JanitorReport(), "a lease still valid is left alone")
            clock.advance(by: 2)
            let janitor = try directory.open(clock: clock, worker: WorkerName(host: "janitor", pid: 3, startTicks: 3))
            #expect(janitor.runJanitor().expiredLeases == 1)
            #expect(janitor.runJanitor().expiredLeases == 0, "idempotent")
            let again = try #require(try spool.claimNext())
            #expect(again.record.id == id)
            #expect(again.attempt == 2)
            #expect(again.record.attempts.first?.error.hasPrefix("lease expired") == true)
            #expect(again.record.attempts.first?.worker == "\(task.worker)")
        }
    }

    @Test func leaseOfGoneWorkerReturnsAtOnce() throws {
        try TemporarySpool.with { directory in
            let clock = ManualClock()
            let dead = try directory.open(clock: clock, worker: JanitorTests.goneWorker)
            try dead.enqueue(NewTask(type: "t", backoff: .table([0])))
            _ = try #require(try dead.claimNext())
            let spool = try directory.open(clock: clock)
            #expect(spool.runJanitor().orphanedLeases == 1)
            // The janitor took the task into its own folder to return it, so that the lost attempt could not finish.
            #expect(
                SpoolFiles.names("\(directory.path)/running/default") == ["\(spool.worker)"],
                "the gone worker's folder is removed"
            )
            #expect(try spool.claimNext()?.attempt == 2)
        }
    }

    @Test func halfDoneWritesOfGoneWorkerAreRemoved() throws {
        try TemporarySpool.with { directory in
            let spool = try directory.open()
            try SpoolFiles.write("partial", to: "\(directory.path)/tmp/w.\(JanitorTests.goneWorker).4")
            try SpoolFiles.write("mine", to: "\(directory.path)/tmp/w.\(WorkerName.current).999999")
            try SpoolFiles.write("unknown", to: "\(directory.path)/tmp/notes.txt")
            #expect(spool.runJanitor().discardedWrites == 1)
            #expect(SpoolFiles.names("\(directory.path)/tmp") == ["notes.txt", "w.\(WorkerName.current).999999"])
        }
    }

    @Test func interruptedIngestIsResumedWithoutDuplicate() throws {
        try TemporarySpool.with { directory in
            let clock = ManualClock()
            let spool = try directory.open(clock: clock)
            // A drop claimed by a process that died, before and after its rewrite in normal form.
            try SpoolFiles.write(
                "{\"type\":\"t\",\"id\":\"order-9\"}",
                to: "\(directory.path)/tmp/in.\(JanitorTests.goneWorker).1.a.json"
            )
            try SpoolFiles.write("{\"type\":\"t\"}", to: "\(directory.path)/tmp/in.\(JanitorTests.goneWorker).2.b.json")
            #expect(spool.runJanitor().resumedDrops == 2)
            #expect(spool.list(state: .active).count == 2)
            #expect(spool.find(id: "order-9") != nil)
            DeferredUnlink.waitUntilIdle()  // the old content of each rewrite
            #expect(SpoolFiles.names("\(directory.path)/tmp").isEmpty)
            #expect(spool.runJanitor() == JanitorReport())
        }
    }

    @Test func retentionIsHonouredToTheHourAndIdsAreReleased() throws {
        try TemporarySpool.with { directory in
            let clock = ManualClock(Timestamp(rfc3339: "2026-11-21T10:20:00Z")!)
            let spool = try directory.open(clock: clock)
            try spool.enqueue(NewTask(id: "short", type: "t", retention: 3600))
            try spool.enqueue(NewTask(id: "long", type: "t", retention: 86400 * 3))
            while let task = try spool.claimNext() { try spool.complete(task) }
            #expect(
                spool.find(id: "short")?.path == "done/default/2026112111/short.json",
                "its retention ends at 11:20"
            )
            clock.set(Timestamp(rfc3339: "2026-11-21T11:59:59.999Z")!)
            #expect(spool.runJanitor().purgedTasks == 0)
            clock.set(Timestamp(rfc3339: "2026-11-21T12:00:00Z")!)
            #expect(spool.runJanitor().purgedTasks == 1, "kept for its hour of retention and less than one more")
            #expect(spool.find(id: "short") == nil)
            #expect(spool.find(id: "long")?.state == .done)
            #expect(SpoolFiles.names("\(directory.path)/ids") == ["long"])
            #expect(SpoolFiles.names("\(directory.path)/done/default") == ["2026112410"])
            try spool.enqueue(NewTask(id: "short", type: "t"))
        }
    }

    @Test func aDayFolderOfAnOlderSpoolIsPurgedOnceItsDayHasPassed() throws {
        try TemporarySpool.with { directory in
            let clock = ManualClock(Timestamp(rfc3339: "2026-11-21T23:59:59.999Z")!)
            let spool = try directory.open(clock: clock)
            SpoolFiles.makeFolder("\(directory.path)/dead/default/20261121")
            try SpoolFiles.write(
                #"{"id":"old","type":"t","finished_at":"2026-10-22T08:00:00Z","state_reason":"x"}"#,
                to: "\(directory.path)/dead/default/20261121/old.json"
            )
            #expect(spool.find(id: "old")?.state == .dead)
            #expect(spool.runJanitor().purgedTasks == 0)
            clock.set(Timestamp(rfc3339: "2026-11-22T00:00:00Z")!)
            #expect(spool.runJanitor().purgedTasks == 1)
            #expect(spool.find(id: "old") == nil)
            #expect(SpoolFiles.names("\(directory.path)/dead/default").isEmpty)
        }
    }
}

/// `dead_limit`: the janitor keeps at most that many dead tasks per queue, deleting the oldest first.
@Suite struct DeadLimitTests {
    @Test func theOldestDeadTasksBeyondTheLimitGo() throws {
        try TemporarySpool.with { directory in
            let clock = ManualClock(Timestamp(rfc3339: "2026-11-21T10:00:00Z")!)
            var configuration = SpoolConfiguration(deadRetention: 86_400)
            configuration.deadLimit = 3
            configuration.queueDeadLimits["keep"] = 100
            let spool = try directory.open(configuration: configuration, clock: clock)
            var ids: [String] = []
            for index in 0..<5 {
                // A day apart for the first two (two day folders), minutes apart after.
                clock.advance(by: index < 2 ? 86_400 : 60)
                let id = try spool.enqueue(NewTask(id: "d\(index)", type: "t", key: "k\(index)"))
                try spool.fail(#require(try spool.claimNext()), error: "no", permanent: true)
                ids.append(id)
            }
            try spool.enqueue(NewTask(queue: "keep", type: "t"))
            try spool.fail(#require(try spool.claimNext(queue: "keep")), error: "no", permanent: true)
            let report = spool.runJanitor(atStart: true)
            #expect(report.trimmedDead == 2, "\(report)")
            #expect(ids.map { spool.find(id: $0)?.state } == [nil, nil, .dead, .dead, .dead])
            #expect(spool.tasks(withKey: "k0").isEmpty && spool.tasks(withKey: "k4").count == 1)
            #expect(SpoolFiles.files(under: "\(directory.path)/keys").count == 3, "the index entries went with them")
            #expect(spool.stats().queues.first { $0.queue == "keep" }?[.dead] == 1)
            #expect(spool.runJanitor(atStart: true).trimmedDead == 0)
        }
    }

    @Test func theTasksThatExpireFirstGoFirstWhateverTheFormOfTheirFolder() throws {
        try TemporarySpool.with { directory in
            let clock = ManualClock(Timestamp(rfc3339: "2026-11-21T10:00:00Z")!)
            var configuration = SpoolConfiguration(deadRetention: 86_400)
            configuration.deadLimit = 1
            let spool = try directory.open(configuration: configuration, clock: clock)
            // A day folder of an older spool, to be deleted at 2026-11-23T00:00, and an hour folder to be
            // deleted at 2026-11-22T11:00, which sorts after it by name.
            SpoolFiles.makeFolder("\(directory.path)/dead/default/20261122")
            try SpoolFiles.write(
                #"{"id":"legacy","type":"t","finished_at":"2026-10-23T08:00:00Z","state_reason":"x"}"#,
                to: "\(directory.path)/dead/default/20261122/legacy.json"
            )
            try spool.enqueue(NewTask(id: "recent", type: "t"))
            try spool.fail(#require(try spool.claimNext()), error: "no", permanent: true)
            #expect(spool.find(id: "recent")?.path == "dead/default/2026112210/recent.json")
            #expect(spool.runJanitor().trimmedDead == 1)
            #expect(spool.find(id: "recent") == nil, "it would be deleted first")
            #expect(spool.find(id: "legacy")?.state == .dead)
        }
    }
}
