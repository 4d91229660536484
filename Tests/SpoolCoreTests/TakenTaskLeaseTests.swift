import SpoolSystem
import SpoolTestSupport
import Testing

@testable import SpoolCore

/// A waiting or dead task that an operation takes into its process's `running/` folder (to cancel, reschedule or
/// retry it, or to end it at its deadline) carries a fresh lease from that rename on: another process's janitor
/// does not mistake it for an expired lease and record a failed attempt the task never made.
@Suite struct TakenTaskLeaseTests {
    @Test(arguments: ["scheduled", "active", "dead"])
    func aTakenTaskIsLeftToItsTaker(id: String) throws {
        try TemporarySpool.with { directory in
            // Starting at the real time, since the files get real mtimes until a rewrite stamps a lease.
            let clock = ManualClock(SystemClock().now)
            let steering = try directory.open(clock: clock, worker: WorkerName(host: "ctl", pid: 1, startTicks: 1))
            try steering.enqueue(NewTask(id: "dead", type: "t", maxAttempts: 1))
            let claimed = try #require(try steering.claimNext())
            try steering.fail(claimed, error: "boom")
            try steering.enqueue(NewTask(id: "scheduled", type: "t", delay: 86_400))
            try steering.enqueue(NewTask(id: "active", type: "t"))
            // An hour later, every file's mtime is long past, as a dead task's is when an operator retries it.
            clock.advance(by: 3600)

            let location = try #require(steering.find(id: id))
            let task = try #require(try steering.take(location))
            let daemon = try directory.open(clock: clock, worker: WorkerName(host: "daemon", pid: 2, startTicks: 2))
            let report = daemon.runJanitor()
            #expect(report.expiredLeases == 0, "\(report)")
            let taken = try #require(steering.find(id: id))
            #expect(taken.state == .running)
            #expect(try steering.record(at: taken).attempts.count == task.record.attempts.count)
        }
    }

    /// The whole operation, as an operator runs it while a daemon's janitor passes: the retry of a dead task
    /// leaves it due with its one attempt, not a second one recorded as a lost lease.
    @Test func aRetryAmidAJanitorPassRecordsNoAttempt() throws {
        try TemporarySpool.with { directory in
            let clock = ManualClock(SystemClock().now)
            let steering = try directory.open(clock: clock, worker: WorkerName(host: "ctl", pid: 1, startTicks: 1))
            try steering.enqueue(NewTask(id: "dead", type: "t", maxAttempts: 1))
            try steering.fail(#require(try steering.claimNext()), error: "boom")
            clock.advance(by: 3600)
            let daemon = try directory.open(clock: clock, worker: WorkerName(host: "daemon", pid: 2, startTicks: 2))
            let location = try #require(steering.find(id: "dead"))
            let task = try #require(try steering.take(location))
            _ = daemon.runJanitor()
            try steering.place(task, due: clock.now) { $0.attemptBudgetStart = $0.attempts.count }
            let retried = try #require(steering.find(id: "dead"))
            #expect(retried.state == .active)
            #expect(try steering.record(at: retried).attempts.count == 1)
        }
    }
}
