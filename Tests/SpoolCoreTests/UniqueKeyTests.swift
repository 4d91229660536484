import SpoolCore
import SpoolTestSupport
import Testing

#if canImport(Glibc)
@preconcurrency import Glibc
#endif

/// Unique keys: a second task with the key of a pending or running one is refused, naming the holder; the
/// key is released when its task succeeds, dies or is cancelled (after `unique_for`, if set), and recovery
/// releases what no task holds.
struct UniqueKeyTests {
    static let gone = WorkerName(host: WorkerName.current.host, pid: Int32.max - 7, startTicks: 1)

    private func keyed(_ key: String = "order-7:paid", queue: String = "default", uniqueFor: Double? = nil) -> NewTask {
        NewTask(queue: queue, type: "t", uniqueKey: key, uniqueFor: uniqueFor)
    }

    /// Whether enqueuing `task` is refused as a held key, with the holder named.
    private func refused(_ spool: Spool, _ task: NewTask, heldBy holder: String) -> Bool {
        do {
            try spool.enqueue(task)
            return false
        } catch {
            return error.code == .alreadyExists && error.message.contains("held by task \(holder)")
        }
    }

    @Test func aSecondTaskWithTheKeyIsRefusedWhileThFirstWaitsOrRuns() throws {
        try TemporarySpool.with { directory in
            let spool = try directory.open()
            let first = try spool.enqueue(keyed())
            #expect(refused(spool, keyed(), heldBy: first))
            #expect(refused(spool, NewTask(type: "t", delay: 60, uniqueKey: "order-7:paid"), heldBy: first))
            // Another key, or the same key in another queue, is free.
            try spool.enqueue(keyed("order-8:paid"))
            try spool.enqueue(keyed(queue: "other"))
            let task = try #require(try spool.claimNext())
            #expect(task.record.id == first)
            #expect(refused(spool, keyed(), heldBy: first), "held while running")
            #expect(try spool.fail(task, error: "later") != .dead(reason: ""))
            #expect(refused(spool, keyed(), heldBy: first), "held while waiting for its retry")
        }
    }

    @Test(arguments: ["success", "death", "cancel", "cancel-waiting"])
    func theKeyIsReleasedWhenItsTaskEnds(how: String) throws {
        try TemporarySpool.with { directory in
            let spool = try directory.open()
            let first = try spool.enqueue(keyed())
            if how == "cancel-waiting" {
                #expect(try spool.cancel(id: first) == .cancelled)
            } else {
                let task = try #require(try spool.claimNext())
                switch how {
                case "success": try spool.complete(task, result: .string("ok"))
                case "death": try spool.fail(task, error: "bad", permanent: true)
                default: try spool.finishCancelled(task)
                }
            }
            let second = try spool.enqueue(keyed())
            #expect(refused(spool, keyed(), heldBy: second), "held by the new task now")
        }
    }

    @Test func uniqueForKeepsTheKeyAfterTheTaskSucceeded() throws {
        try TemporarySpool.with { directory in
            let clock = ManualClock()
            let spool = try directory.open(clock: clock)
            let first = try spool.enqueue(keyed(uniqueFor: 60))
            try spool.complete(#require(try spool.claimNext()))
            clock.advance(by: 59)
            #expect(refused(spool, keyed(), heldBy: first))
            clock.advance(by: 1)
            let second = try spool.enqueue(keyed())
            #expect(refused(spool, keyed(), heldBy: second))
            // A window shorter than the task's life does not free the key while it waits.
            let third = try spool.enqueue(keyed("short", uniqueFor: 1))
            clock.advance(by: 10)
            #expect(refused(spool, keyed("short"), heldBy: third))
        }
    }

    @Test func aDropWithAHeldKeyIsRejectedNamingTheHolder() throws {
        try TemporarySpool.with { directory in
            let spool = try directory.open()
            let first = try spool.enqueue(keyed())
            try SpoolFiles.write(#"{"type":"t","unique_key":"order-7:paid"}"#, to: "\(directory.path)/incoming/d.json")
            guard case .rejected(_, let reason) = try spool.ingest("d.json") else {
                Issue.record("the drop was not rejected")
                return
            }
            #expect(reason.contains("held by task \(first)"))
            let kept = String(decoding: try SpoolFiles.read("\(directory.path)/rejected/d.json.reason"), as: UTF8.self)
            #expect(kept.contains("held by task \(first)"))
        }
    }

    @Test func aBatchWithTwoTasksOfOneKeyIsRefusedWhole() throws {
        try TemporarySpool.with { directory in
            let spool = try directory.open()
            #expect(throws: SpoolError.self) { try spool.enqueue(contentsOf: [keyed(), keyed()]) }
            #expect(SpoolFiles.contents(ofSpool: directory.path).isEmpty, "no task, no reservation")
            try spool.enqueue(keyed())
        }
    }

    @Test func longAndOddKeysAreKeptApart() throws {
        try TemporarySpool.with { directory in
            let spool = try directory.open()
            let keys = [
                String(repeating: "k", count: 256), String(repeating: "k", count: 255) + "j", "a/b", "a%2Fb", ".x",
                "ключ",
            ]
            var holders: [String] = []
            for key in keys { holders.append(try spool.enqueue(keyed(key))) }
            for (key, holder) in zip(keys, holders) { #expect(refused(spool, keyed(key), heldBy: holder), "\(key)") }
            #expect(SpoolFiles.names("\(directory.path)/unique/default").allSatisfy { $0.utf8.count <= 201 })
        }
    }

    @Test func recoveryReleasesAKeyWhoseTaskFinishedWithoutReleasingIt() throws {
        try TemporarySpool.with { directory in
            let spool = try directory.open()
            let first = try spool.enqueue(keyed())
            let task = try #require(try spool.claimNext())
            // The process died between moving the task to done/ and releasing the key.
            SpoolFiles.makeFolder("\(directory.path)/done/default/20990101")
            #expect(
                rename(
                    "\(directory.path)/\(task.folder)/\(task.fileName)",
                    "\(directory.path)/done/default/20990101/\(first).json"
                ) == 0
            )
            #expect(refused(spool, keyed(), heldBy: first))
            #expect(spool.runJanitor(atStart: true).releasedKeys == 1)
            try spool.enqueue(keyed())
        }
    }

    @Test func recoveryReleasesTheKeyOfAnEnqueueThatDiedBeforePlacingItsTask() throws {
        try TemporarySpool.with { directory in
            let spool = try directory.open(worker: UniqueKeyTests.gone)
            let first = try spool.enqueue(keyed())
            let location = try #require(spool.find(id: first))
            let link = try #require(SpoolFiles.readLink("\(directory.path)/unique/default/order-7%3Apaid"))
            let token = try #require(JSONParser.parse(Array(link.utf8))["token"]?.stringValue)
            #expect(rename("\(directory.path)/\(location.path)", "\(directory.path)/tmp/\(token)") == 0)
            let report = try directory.open().runJanitor()
            #expect(report.discardedWrites == 1)
            try spool.enqueue(keyed())
        }
    }

    @Test func aDeadTaskRetriedByHandTakesItsKeyAgainUnlessAnotherHoldsIt() throws {
        try TemporarySpool.with { directory in
            let spool = try directory.open()
            let first = try spool.enqueue(keyed())
            try spool.fail(#require(try spool.claimNext()), error: "bad", permanent: true)
            let second = try spool.enqueue(keyed())
            #expect {
                try spool.retryNow(id: first)
            } throws: { ($0 as? SpoolError)?.code == .alreadyExists && "\($0)".contains("held by task \(second)") }
            #expect(spool.find(id: first)?.state == .dead)
            try spool.complete(#require(try spool.claimNext()))
            #expect(try spool.retryNow(id: first) == .active)
            #expect(refused(spool, keyed(), heldBy: first))
        }
    }
}
