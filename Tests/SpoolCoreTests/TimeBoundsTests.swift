import SpoolCore
import SpoolSystem
import SpoolTestSupport
import Testing

/// Large but well-formed numbers from tasks and handlers: refused where they are parsed, or held to what a
/// spool can store, never a trap.
@Suite struct TimeBoundsTests {
    @Test func timeArithmeticSaturates() {
        let now = Timestamp(milliseconds: 1_780_000_000_000)
        #expect(now.adding(seconds: 1e300) == .latest)
        #expect(now.adding(seconds: -1e300) == .earliest)
        #expect(now.adding(seconds: .infinity) == .latest)
        #expect(now.adding(seconds: .nan) == now)
        #expect(now.adding(milliseconds: .max) == .latest)
        #expect(Timestamp.latest.adding(milliseconds: .max) == .latest)
        #expect(Timestamp.earliest.adding(milliseconds: .min) == .earliest)
        #expect(Timestamp(seconds: 1e300) == .latest)
        #expect(Timestamp(seconds: -.infinity) == .earliest)
        #expect(Timestamp.latest.rfc3339 == "9999-12-31T23:59:59.999Z")
        #expect(Timestamp.latest.dayFolderName == "99991231")
        #expect(Timestamp.earliest.rfc3339 == "0000-01-01T00:00:00.000Z")
    }

    @Test func aFileNameAlwaysHoldsThirteenDigits() {
        let far = TaskFileName(due: .latest, id: "a")
        #expect(far.description == "9999999999999.a.json")
        #expect(TaskFileName(far.description)?.due == TaskRecord.latestDue)
        #expect(TaskFileName(due: .earliest, id: "a").description == "0000000000000.a.json")
    }

    @Test(arguments: [
        (#"{"type":"t","retention":1e300}"#, "retention:"),
        (#"{"type":"t","retention":3153600001}"#, "retention:"),
        (#"{"type":"t","backoff":[5,1e300]}"#, "backoff:"),
        (#"{"type":"t","backoff":[3153600001]}"#, "backoff:"),
        (#"{"type":"t","delay":1e300}"#, "delay:"),
        (#"{"type":"t","run_at":1e300}"#, "run_at:"),
        (#"{"type":"t","max_attempts":1e300}"#, "max_attempts:"),
        (#"{"type":"t","timeout":1e300}"#, "timeout:"),
    ])
    func outOfRangeNumbersAreRefusedAtEnqueue(document: String, field: String) throws {
        try TemporarySpool.with { directory in
            let spool = try directory.open()
            #expect {
                try spool.enqueue(json: Array(document.utf8))
            } throws: { error in
                (error as? SpoolError)?.code == .invalidArgument && "\(error)".contains(field)
            }
            #expect(spool.stats().queues.allSatisfy { $0.counts.values.allSatisfy { $0 == 0 } })
        }
    }

    @Test func theLongestRetentionAndBackoffFinishAndRetry() throws {
        try TemporarySpool.with { directory in
            let clock = ManualClock()
            let spool = try directory.open(clock: clock)
            let id = try spool.enqueue(
                json: Array(#"{"type":"t","retention":3153600000,"backoff":[3153600000]}"#.utf8)
            ).id
            let first = try #require(try claim(spool))
            guard case .retry(let at) = try spool.fail(first, error: "boom") else {
                Issue.record("a retry 100 years away is scheduled")
                return
            }
            #expect(at == clock.now.adding(seconds: 3_153_600_000))
            #expect(spool.find(id: id)?.state == .scheduled)
            let other = try spool.enqueue(json: Array(#"{"type":"t","retention":3153600000}"#.utf8)).id
            let second = try #require(try claim(spool))
            #expect(second.record.id == other)
            try spool.complete(second, result: .string("ok"))
            #expect(spool.find(id: other)?.state == .done)
        }
    }

    @Test(arguments: [1e300, Double.infinity, 1e20, -5, Double.nan])
    func aHandlersRetryDelayIsHeldToWhatANameCanHold(delay: Double) throws {
        try TemporarySpool.with { directory in
            let clock = ManualClock()
            let spool = try directory.open(clock: clock)
            let id = try spool.enqueue(NewTask(type: "t"))
            let task = try #require(try claim(spool))
            guard case .retry(let at) = try spool.fail(task, error: "later", retryAfter: delay) else {
                Issue.record("the task is retried")
                return
            }
            #expect(at <= TaskRecord.latestDue)
            #expect(at >= clock.now)
            let location = try #require(spool.find(id: id), "the task is still found")
            #expect(location.due == at)
            #expect(location.state == (at > clock.now ? .scheduled : .active))
            let name = String(location.path.split(separator: "/").last!)
            #expect(name.utf8.count == 13 + 1 + id.utf8.count + 5)
        }
    }

    @Test func aStoredTaskWithAnOutOfRangeNumberIsQuarantinedNotATrap() throws {
        try TemporarySpool.with { directory in
            let gone = WorkerName(host: WorkerName.current.host, pid: Int32.max, startTicks: 1)
            let spool = try directory.open(worker: gone)
            let id = try spool.enqueue(NewTask(type: "t"))
            let task = try #require(try claim(spool))
            // A file written by an earlier version that accepted any retention, left behind by a crash.
            let path = "\(directory.path)/\(task.folder)/\(task.fileName)"
            let text = #"{"id":"\#(id)","queue":"default","type":"t","retention":1e300}"# + "\n"
            try SpoolFiles.write(text, to: path)
            _ = try directory.open().runJanitor()
            #expect(spool.find(id: id) == nil)
            let reasons = SpoolFiles.names("\(directory.path)/rejected").filter { $0.hasSuffix(".reason") }
            #expect(reasons.count == 1)
        }
    }

    private func claim(_ spool: Spool) throws -> ClaimedTask? {
        for name in try spool.oldestActive(queue: "default", limit: 10).names {
            if let task = try spool.claim(name, queue: "default") { return task }
        }
        return nil
    }
}
