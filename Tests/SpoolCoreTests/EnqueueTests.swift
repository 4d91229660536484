import SpoolCore
import SpoolSystem
import SpoolTestSupport
import SystemPackage
import Testing

@Suite struct EnqueueTests {
    @Test func immediateTaskLandsInActive() throws {
        try TemporarySpool.with { directory in
            let clock = ManualClock()
            let spool = try directory.open(clock: clock)
            let id = try spool.enqueue(
                NewTask(queue: "mail", type: "send", payload: .object([JSONMember("to", .string("a@b"))]))
            )
            #expect(id.utf8.count == 26)
            let name = TaskFileName(due: clock.now, id: id).description
            #expect(SpoolFiles.names("\(directory.path)/active/mail") == [name])
            let record = try spool.record(at: #require(spool.find(id: id)))
            #expect(record.type == "send")
            #expect(record.createdAt == clock.now)
            #expect(record.payload["to"] == .string("a@b"))
            #expect(SpoolFiles.names("\(directory.path)/tmp").isEmpty)
        }
    }

    @Test func delayedTaskLandsInItsDueMinuteFolder() throws {
        try TemporarySpool.with { directory in
            let clock = ManualClock(Timestamp(rfc3339: "2026-11-21T10:00:30Z")!)
            let spool = try directory.open(clock: clock)
            let id = try spool.enqueue(NewTask(type: "t", delay: 95.5))
            let due = Timestamp(rfc3339: "2026-11-21T10:02:05.500Z")!
            #expect(
                SpoolFiles.names("\(directory.path)/scheduled/default/20261121/1002") == [
                    TaskFileName(due: due, id: id).description
                ]
            )
            #expect(SpoolFiles.names("\(directory.path)/active").isEmpty)
        }
    }

    @Test func taskAtATimeInThePastIsDueNow() throws {
        try TemporarySpool.with { directory in
            let clock = ManualClock()
            let spool = try directory.open(clock: clock)
            let past = clock.now.adding(seconds: -3600)
            let id = try spool.enqueue(NewTask(type: "t", runAt: past))
            #expect(
                SpoolFiles.names("\(directory.path)/active/default") == [TaskFileName(due: past, id: id).description]
            )
        }
    }

    @Test func duplicateIdIsAnErrorNotAnOverwrite() throws {
        try TemporarySpool.with { directory in
            let spool = try directory.open()
            try spool.enqueue(NewTask(id: "invoice-7", type: "first"))
            #expect {
                try spool.enqueue(NewTask(id: "invoice-7", type: "second", delay: 600))
            } throws: { ($0 as? SpoolError)?.code == .alreadyExists }
            #expect(try spool.record(at: #require(spool.find(id: "invoice-7"))).type == "first")
            #expect(spool.list().count == 1)
        }
    }

    @Test func invalidFieldsAreRefused() throws {
        try TemporarySpool.with { directory in
            let spool = try directory.open()
            for task in [
                NewTask(queue: "Bad Queue", type: "t"), NewTask(id: "../x", type: "t"), NewTask(type: ""),
                NewTask(type: "t", delay: -1), NewTask(type: "t", maxAttempts: 0),
            ] {
                #expect { try spool.enqueue(task) } throws: { ($0 as? SpoolError)?.code == .invalidArgument }
            }
            #expect(SpoolFiles.contents(ofSpool: directory.path).isEmpty)
        }
    }

    @Test func fullDiskFailsTheEnqueueCleanly() throws {
        try TemporarySpool.with { directory in
            let spool = try directory.open()
            let faults = SyscallFaults().inject(.fail(.noSpace), into: "write")
            #expect {
                try SyscallFaults.withFaults(faults) { try spool.enqueue(NewTask(id: "keep-me", type: "t")) }
            } throws: { ($0 as? SpoolError)?.code == .noSpace }
            #expect(SpoolFiles.contents(ofSpool: directory.path).isEmpty, "no staging file and no reservation left")
            // The disk has room again: the same id can be used.
            try spool.enqueue(NewTask(id: "keep-me", type: "t"))
            #expect(spool.find(id: "keep-me")?.state == .active)
        }
    }

    @Test func enqueueFlushesFileAndFolder() throws {
        try TemporarySpool.with { directory in
            let spool = try directory.open()
            let faults = SyscallFaults()
            try SyscallFaults.withFaults(faults) { _ = try spool.enqueue(NewTask(type: "t")) }
            #expect(faults.count("fdatasync") == 1)
            #expect(faults.count("fsync") >= 1)
            let relaxed = try directory.open(configuration: SpoolConfiguration(durability: .none))
            let none = SyscallFaults()
            try SyscallFaults.withFaults(none) { _ = try relaxed.enqueue(NewTask(type: "t")) }
            #expect(none.count("fdatasync") + none.count("fsync") == 0)
        }
    }

    @Test func interruptedWritesAreRetried() throws {
        try TemporarySpool.with { directory in
            let spool = try directory.open()
            let faults = SyscallFaults().inject(.fail(.interrupted), into: "write", times: 3)
                .inject(.fail(.interrupted), into: "renameat2")
            let id = try SyscallFaults.withFaults(faults) { try spool.enqueue(NewTask(type: "t")) }
            #expect(faults.count("write") == 4)
            #expect(spool.find(id: id)?.state == .active)
        }
    }

    @Test func renameFallbackWhenFlagsAreRefused() throws {
        try TemporarySpool.with { directory in
            // A filesystem without renameat2 flags, as the probe at opening finds it (its two tries): the
            // moves and rewrites made without them (MoveRule), each a plain rename, a link, or an unlink.
            let spool = try directory.openWithoutRenameFlags()
            #expect(spool.renameFlagsDescription == "none")
            let id = try spool.enqueue(NewTask(id: "fallback", type: "t"))
            #expect(spool.find(id: id)?.state == .active)
            let name = try #require(try spool.oldestActive(queue: "default", limit: 1).names.first)
            let claimed = try #require(try spool.claim(name, queue: "default"))
            try spool.complete(claimed, result: .string("ok"))
            #expect(try spool.record(at: #require(spool.find(id: id))).result == .string("ok"))
            DeferredUnlink.waitUntilIdle()
            #expect(SpoolFiles.names("\(directory.path)/tmp").isEmpty)
        }
    }
}
