import SpoolCore
import SpoolTestSupport
import Testing

/// Lookup by business key (`key`): every task with the key, in every state it moves through, without
/// walking the spool, and nothing left of it once the task is purged.
struct KeyIndexTests {

    @Test func theTasksOfAKeyAreFoundInEveryState() throws {
        try TemporarySpool.with { directory in
            let clock = ManualClock()
            let spool = try directory.open(clock: clock)
            let due = try spool.enqueue(NewTask(id: "a", type: "t", key: "order-42"))
            let later = try spool.enqueue(NewTask(id: "b", queue: "mail", type: "t", delay: 3600, key: "order-42"))
            try spool.enqueue(NewTask(queue: "other", type: "t", key: "order-43"))
            try spool.enqueue(NewTask(queue: "other", type: "t"))
            func states() -> [String: TaskState] {
                Dictionary(uniqueKeysWithValues: spool.tasks(withKey: "order-42").map { ($0.id, $0.state) })
            }
            #expect(states() == [due: .active, later: .scheduled])
            let task = try #require(try spool.claimNext())
            #expect(states()[due] == .running)
            // A retry moves it to a new due time; the index follows.
            try spool.fail(task, error: "later", retryAfter: 600)
            #expect(states()[due] == .scheduled)
            clock.advance(by: 600)
            Sweeper(spool: spool).advance(now: clock.now)
            #expect(states()[due] == .active)
            try spool.complete(#require(try spool.claimNext()), result: .string("ok"))
            #expect(states()[due] == .done)
            try spool.reschedule(id: later, to: clock.now.adding(seconds: 7200))
            #expect(states()[later] == .scheduled)
            #expect(try spool.cancel(id: later) == .cancelled)
            #expect(states() == [due: .done, later: .dead])
            #expect(spool.tasks(withKey: "order-44").isEmpty)
        }
    }

    @Test func dropsBatchesAndOddKeysAreIndexed() throws {
        try TemporarySpool.with { directory in
            let spool = try directory.open()
            let long = String(repeating: "k", count: 256)
            let odd = "Bestellung/42 ü%"
            try spool.enqueue(contentsOf: [
                NewTask(id: "b1", type: "t", key: long), NewTask(id: "b2", type: "t", key: odd),
            ])
            try SpoolFiles.write(
                #"{"id":"d1","type":"t","key":"Bestellung/42 ü%"}"#,
                to: "\(directory.path)/incoming/d.json"
            )
            _ = try spool.ingest("d.json")
            #expect(spool.tasks(withKey: long).map(\.id) == ["b1"])
            #expect(spool.tasks(withKey: odd).map(\.id) == ["b2", "d1"])
            #expect(spool.tasks(withKey: String(repeating: "k", count: 255) + "j").isEmpty)
        }
    }

    @Test func aPurgedTaskLeavesNothingInTheIndex() throws {
        try TemporarySpool.with { directory in
            let clock = ManualClock()
            let spool = try directory.open(clock: clock)
            try spool.enqueue(NewTask(id: "p", type: "t", retention: 60, key: "order-1"))
            try spool.complete(#require(try spool.claimNext()))
            #expect(spool.tasks(withKey: "order-1").map(\.state) == [.done])
            clock.advance(by: 2 * 86_400)
            #expect(spool.runJanitor().purgedTasks == 1)
            #expect(spool.tasks(withKey: "order-1").isEmpty)
            #expect(SpoolFiles.files(under: "\(directory.path)/keys").isEmpty)
        }
    }

    @Test func aFailedEnqueueLeavesNoEntry() throws {
        try TemporarySpool.with { directory in
            let spool = try directory.open()
            try spool.enqueue(NewTask(id: "x", type: "t", key: "k"))
            #expect(throws: SpoolError.self) { try spool.enqueue(NewTask(id: "x", type: "t", key: "k2")) }
            #expect(spool.tasks(withKey: "k2").isEmpty)
            #expect(SpoolFiles.files(under: "\(directory.path)/keys").count == 1)
        }
    }
}
