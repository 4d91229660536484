import SpoolCore
import SpoolTestSupport
import Testing

/// A deadline ends a task the moment it passes, also while it waits: scheduled, due, or in a paused queue.
struct DeadlineTests {
    @Test func aWaitingTaskEndsWhenItsDeadlinePasses() throws {
        try TemporarySpool.with { directory in
            let clock = ManualClock()
            let spool = try directory.open(clock: clock)
            let deadline = clock.now.adding(seconds: 90)
            let scheduled = try spool.enqueue(NewTask(type: "t", delay: 3600, deadline: deadline))
            let due = try spool.enqueue(NewTask(type: "t", deadline: deadline))
            try spool.pause("held")
            let paused = try spool.enqueue(NewTask(queue: "held", type: "t", deadline: deadline))
            let later = try spool.enqueue(NewTask(type: "t", deadline: deadline.adding(seconds: 60)))
            clock.advance(by: 89)
            #expect(spool.expireDeadlines(now: clock.now) == 0)
            clock.advance(by: 1)
            #expect(spool.expireDeadlines(now: clock.now) == 3)
            for id in [scheduled, due, paused] {
                let location = try #require(spool.find(id: id))
                #expect(location.state == .dead)
                #expect(try spool.record(at: location).stateReason == "deadline \(deadline) passed while waiting")
            }
            #expect(spool.find(id: later)?.state == .active)
            clock.advance(by: 60)
            #expect(spool.expireDeadlines(now: clock.now) == 1)
            #expect(SpoolFiles.files(under: "\(directory.path)/deadlines").isEmpty, "every entry and folder gone")
        }
    }

    @Test func aTaskThatFinishedOrRunsIsLeftAlone() throws {
        try TemporarySpool.with { directory in
            let clock = ManualClock()
            let spool = try directory.open(clock: clock)
            let deadline = clock.now.adding(seconds: 30)
            let finished = try spool.enqueue(NewTask(type: "t", deadline: deadline))
            try spool.complete(#require(try spool.claimNext()))
            #expect(SpoolFiles.files(under: "\(directory.path)/deadlines").isEmpty, "the finish removed its entry")
            let running = try spool.enqueue(NewTask(type: "t", deadline: deadline))
            let task = try #require(try spool.claimNext())
            clock.advance(by: 60)
            #expect(spool.expireDeadlines(now: clock.now) == 0)
            #expect(spool.find(id: running)?.state == .running)
            // Its worker's failure, after the deadline, does not retry it.
            #expect(
                try spool.fail(task, error: "late") == .dead(reason: "deadline \(deadline) passed after 1 attempts")
            )
            #expect(spool.find(id: finished)?.state == .done)
        }
    }

    @Test func aRetryMovesItsEntryAndTheDeadlineStillHolds() throws {
        try TemporarySpool.with { directory in
            let clock = ManualClock()
            let spool = try directory.open(clock: clock)
            let deadline = clock.now.adding(seconds: 300)
            let id = try spool.enqueue(NewTask(type: "t", backoff: .table([120]), deadline: deadline))
            #expect(
                try spool.fail(#require(try spool.claimNext()), error: "later")
                    == .retry(at: clock.now.adding(seconds: 120))
            )
            clock.advance(by: 300)
            #expect(spool.expireDeadlines(now: clock.now) == 1)
            #expect(spool.find(id: id)?.state == .dead)
        }
    }
}

/// `delete_at`, qtask's delete deadline: the task is deleted at that time, whatever its state.
struct DeleteAtTests {
    @Test func aWaitingTaskIsDeletedWithEverythingItHeld() throws {
        try TemporarySpool.with { directory in
            let clock = ManualClock()
            let spool = try directory.open(clock: clock)
            let at = clock.now.adding(seconds: 120)
            try spool.enqueue(
                NewTask(id: "order-1", type: "t", delay: 3600, deleteAt: at, key: "ORD-1", uniqueKey: "ORD-1")
            )
            let kept = try spool.enqueue(NewTask(type: "t", delay: 3600))
            clock.advance(by: 119)
            #expect(spool.expireDeadlines(now: clock.now) == 0)
            clock.advance(by: 1)
            #expect(spool.expireDeadlines(now: clock.now) == 1)
            #expect(spool.find(id: "order-1") == nil, "deleted, not moved to dead/")
            #expect(spool.tasks(withKey: "ORD-1").isEmpty)
            #expect(SpoolFiles.files(under: "\(directory.path)/deadlines").isEmpty)
            #expect(SpoolFiles.contents(ofSpool: directory.path).filter { !$0.hasPrefix("scheduled/") }.isEmpty)
            // Its id and unique key are free again; the other task is untouched.
            try spool.enqueue(NewTask(id: "order-1", type: "t", uniqueKey: "ORD-1"))
            #expect(spool.find(id: kept)?.state == .scheduled)
        }
    }

    @Test func aFinishedTaskIsKeptUntilItsDeleteTimeAtMost() throws {
        try TemporarySpool.with { directory in
            let clock = ManualClock(Timestamp(rfc3339: "2026-11-21T10:00:00Z")!)
            let spool = try directory.open(clock: clock)
            let early = try spool.enqueue(NewTask(type: "t", deleteAt: Timestamp(rfc3339: "2026-11-22T03:00:00Z")!))
            try spool.complete(#require(try spool.claimNext()))
            #expect(
                spool.find(id: early)?.path == "done/default/2026112203/\(early).json",
                "before the 7-day retention"
            )
            let late = try spool.enqueue(NewTask(type: "t", deleteAt: Timestamp(rfc3339: "2027-01-01T00:00:00Z")!))
            try spool.complete(#require(try spool.claimNext()))
            #expect(spool.find(id: late)?.path == "done/default/2026112810/\(late).json", "the retention comes first")
            let record = try TaskRecord.parse(
                Array(#"{"type":"t","delete_at":"2026-12-01T00:00:00Z"}"#.utf8),
                now: clock.now
            ) { "x" }
            #expect(record.deleteAt == Timestamp(rfc3339: "2026-12-01T00:00:00Z"))
        }
    }
}
