import SpoolCore
import SpoolSystem
import SpoolTestSupport
import Testing

/// Cancel, reschedule and retry by id, for a task in every state.
@Suite struct SteeringTests {
    static let gone = WorkerName(host: WorkerName.current.host, pid: Int32.max - 7, startTicks: 1)

    /// A spool with one task in each state: `scheduled`, `active`, `running` (claimed by `worker`),
    /// `done` and `dead`.
    private func spoolInEveryState(
        _ directory: TemporarySpool,
        clock: ManualClock,
        worker: WorkerName = .current
    ) throws -> (Spool, ClaimedTask) {
        let spool = try directory.open(clock: clock, worker: worker)
        for id in ["done", "dead", "running"] {
            try spool.enqueue(NewTask(id: id, type: "t", maxAttempts: 1))
            let name = try #require(try spool.oldestActive(queue: "default", limit: 1).names.first)
            let task = try #require(try spool.claim(name, queue: "default"))
            switch id {
            case "done": try spool.complete(task)
            case "dead": try spool.fail(task, error: "boom")
            default:
                try spool.enqueue(NewTask(id: "scheduled", type: "t", delay: 3600))
                try spool.enqueue(NewTask(id: "active", type: "t"))
                return (spool, task)
            }
        }
        preconditionFailure()
    }

    private func state(_ spool: Spool, _ id: String) -> TaskState? { spool.find(id: id)?.state }

    @Test func cancelEndsAWaitingTaskAndAsksARunningOne() throws {
        try TemporarySpool.with { directory in
            let clock = ManualClock()
            let (spool, running) = try spoolInEveryState(directory, clock: clock)
            for id in ["scheduled", "active"] {
                #expect(try spool.cancel(id: id) == .cancelled)
                #expect(state(spool, id) == .dead)
                let record = try spool.record(at: #require(spool.find(id: id)))
                #expect(record.stateReason == "cancelled" && record.finishedAt == clock.now)
                #expect(record.attempts.isEmpty, "it never ran")
            }
            #expect(try spool.cancel(id: "running") == .requested(worker: "\(WorkerName.current)"))
            #expect(spool.isCancelRequested(running))
            #expect(state(spool, "running") == .running, "its worker ends it")
            #expect(try spool.cancel(id: "running") == .requested(worker: "\(WorkerName.current)"), "asked twice")
            try spool.finishCancelled(running)
            let record = try spool.record(at: #require(spool.find(id: "running")))
            #expect(record.stateReason == "cancelled" && record.attempts.map(\.error) == ["cancelled"])
            #expect(SpoolFiles.names("\(directory.path)/\(running.folder)").isEmpty, "the marker goes too")
            for id in ["done", "dead"] {
                do {
                    try spool.cancel(id: id)
                    Issue.record("cancelled a task that is \(id)")
                } catch let error as SpoolError {
                    #expect(error.code == .wrongState && error.message.contains("already finished"))
                }
            }
            do {
                try spool.cancel(id: "nothing")
                Issue.record("cancelled a task that does not exist")
            } catch let error as SpoolError {
                #expect(error.code == .notFound)
            }
        }
    }

    @Test func rescheduleMovesAWaitingTaskEitherWay() throws {
        try TemporarySpool.with { directory in
            let clock = ManualClock()
            let (spool, _) = try spoolInEveryState(directory, clock: clock)
            let later = clock.now.adding(seconds: 7200)
            try spool.reschedule(id: "active", to: later)
            #expect(spool.find(id: "active")?.state == .scheduled && spool.find(id: "active")?.due == later)
            #expect(try spool.record(at: #require(spool.find(id: "active"))).runAt == later)
            try spool.reschedule(id: "scheduled", to: clock.now.adding(seconds: -5))
            #expect(state(spool, "scheduled") == .active, "a time past is due now")
            try spool.reschedule(id: "active", to: later)
            #expect(spool.find(id: "active")?.due == later, "a reschedule to its own time changes nothing")
            for id in ["running", "done", "dead"] {
                do {
                    try spool.reschedule(id: id, to: later)
                    Issue.record("rescheduled a task that is \(id)")
                } catch let error as SpoolError {
                    #expect(error.code == .wrongState)
                }
            }
            do {
                try spool.reschedule(id: "active", to: TaskRecord.latestDue)
                Issue.record("a due time past what a name holds")
            } catch let error as SpoolError {
                #expect(error.code == .invalidArgument)
            }
        }
    }

    @Test func retryOfADeadTaskKeepsItsHistoryWithAFreshBudget() throws {
        try TemporarySpool.with { directory in
            let clock = ManualClock()
            let (spool, _) = try spoolInEveryState(directory, clock: clock)
            #expect(try spool.retryNow(id: "dead") == .active)
            let location = try #require(spool.find(id: "dead"))
            #expect(location.state == .active && location.due == clock.now)
            var record = try spool.record(at: location)
            #expect(record.attempts.count == 1 && record.attemptBudgetStart == 1)
            #expect(record.stateReason == nil && record.finishedAt == nil)
            // max_attempts 1: the retried task gets one attempt more, numbered after the first.
            let name = try #require(TaskFileName(String(location.path.split(separator: "/").last ?? "")))
            let task = try #require(try spool.claim(name, queue: "default"))
            #expect(task.attempt == 2)
            #expect(try spool.fail(task, error: "boom again") == .dead(reason: "attempts spent (1 of 1)"))
            record = try spool.record(at: #require(spool.find(id: "dead")))
            #expect(record.attempts.map(\.number) == [1, 2])
            #expect(try spool.retryNow(id: "scheduled") == .active)
            #expect(state(spool, "scheduled") == .active)
            #expect(try spool.retryNow(id: "active") == .active)
            for id in ["running", "done"] {
                do {
                    try spool.retryNow(id: id)
                    Issue.record("retried a task that is \(id)")
                } catch let error as SpoolError {
                    #expect(error.code == .wrongState)
                }
            }
        }
    }

    @Test func aRetriedTasksBudgetSurvivesAReadAndWrite() throws {
        let record = try TaskRecord.parse(
            Array(
                #"{"id":"a","type":"t","attempts":[{"attempt":1,"finished_at":"2026-01-01T00:00:00Z","error":"x"}],"attempt_budget_start":1}"#
                    .utf8
            ),
            now: Timestamp(milliseconds: 0),
            makeID: { "" }
        )
        #expect(record.attemptBudgetStart == 1)
        #expect(try TaskRecord.parse(record.encoded, now: Timestamp(milliseconds: 0), makeID: { "" }) == record)
        #expect(throws: TaskValidationError.self, "more than the attempts recorded") {
            try TaskRecord.parse(
                Array(#"{"id":"a","type":"t","attempt_budget_start":1}"#.utf8),
                now: Timestamp(milliseconds: 0),
                makeID: { "" }
            )
        }
    }

    @Test func aCancelAskedOfALostWorkerEndsTheTaskWhenItsLeaseIsReturned() throws {
        try TemporarySpool.with { directory in
            let clock = ManualClock()
            let (lost, _) = try spoolInEveryState(directory, clock: clock, worker: SteeringTests.gone)
            #expect(try lost.cancel(id: "running") == .requested(worker: "\(SteeringTests.gone)"))
            let report = try directory.open(clock: clock).runJanitor()
            #expect(report.orphanedLeases == 1)
            let record = try lost.record(at: #require(lost.find(id: "running")))
            #expect(lost.find(id: "running")?.state == .dead && record.stateReason == "cancelled")
            #expect(!SpoolFiles.files(under: "\(directory.path)/running").contains { $0.hasSuffix(".cancel") })
        }
    }

    @Test func aCancelMarkerOfATaskThatFinishedFirstIsCleanedUp() throws {
        try TemporarySpool.with { directory in
            let clock = ManualClock()
            let (lost, running) = try spoolInEveryState(directory, clock: clock, worker: SteeringTests.gone)
            #expect(try lost.cancel(id: "running") == .requested(worker: "\(SteeringTests.gone)"))
            try lost.complete(running)
            _ = try directory.open(clock: clock).runJanitor()
            #expect(SpoolFiles.files(under: "\(directory.path)/running").isEmpty)
            #expect(lost.find(id: "running")?.state == .done)
        }
    }
}
