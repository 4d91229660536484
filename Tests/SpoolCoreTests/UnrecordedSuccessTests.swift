import SpoolCore
import SpoolSystem
import SpoolTestSupport
import SystemPackage
import Testing

/// A success whose result was written into the task file but whose move to `done/` never happened (its worker
/// died between the two, or lost its lease) is not a success: when the lease is returned, the task waits for its
/// next attempt without that result or finish time, and ends with what its later attempts record.
@Suite struct UnrecordedSuccessTests {
    /// Claims a task, then completes it with a result whose move to `done/` fails after the rewrite; returns the
    /// spool, the clock and the task's id, the lease then expired.
    private func unrecordedSuccess(_ directory: TemporarySpool, maxAttempts: Int) throws -> (Spool, ManualClock, String)
    {
        let clock = ManualClock()
        let spool = try directory.open(configuration: SpoolConfiguration(leaseDuration: 10), clock: clock)
        let id = try spool.enqueue(NewTask(type: "t", maxAttempts: maxAttempts, backoff: .table([0])))
        let task = try #require(try spool.claimNext())
        // The rewrite's renames go through (an exchange; without RENAME_EXCHANGE, a rename aside and one into
        // place); the move to done/ after them does not.
        let rewriteRenames = spool.renameFlagsDescription.hasSuffix("exchange") ? 1 : 2
        let cut = SyscallFaults().inject(.fail(.ioError), into: "renameat2", after: rewriteRenames)
        #expect(throws: SpoolError.self) {
            try SyscallFaults.withFaults(cut) { try spool.complete(task, result: .string("first")) }
        }
        let written = try spool.record(at: #require(spool.find(id: id)))
        #expect(written.result == .string("first"), "the rewrite was made")
        clock.advance(by: 11)
        let janitor = try directory.open(clock: clock, worker: WorkerName(host: "janitor", pid: 2, startTicks: 2))
        #expect(janitor.runJanitor().expiredLeases == 1)
        return (spool, clock, id)
    }

    @Test func aReturnedLeaseDropsTheUnrecordedResult() throws {
        try TemporarySpool.with { directory in
            let (spool, clock, id) = try unrecordedSuccess(directory, maxAttempts: 3)
            let waiting = try spool.record(at: #require(spool.find(id: id)))
            #expect(waiting.result == nil)
            #expect(waiting.finishedAt == nil)
            #expect(waiting.attempts.count == 1)

            clock.advance(by: 1)
            let second = try #require(try spool.claimNext())
            try spool.complete(second)
            let done = try spool.record(at: #require(spool.find(id: id)))
            #expect(done.result == nil, "the second attempt returned none")
            #expect(done.finishedAt == nil, "a bare success records no time of its own")
        }
    }

    @Test func aTaskThatThenFailsForGoodEndsWithoutTheResult() throws {
        try TemporarySpool.with { directory in
            let (spool, clock, id) = try unrecordedSuccess(directory, maxAttempts: 1)
            let location = try #require(spool.find(id: id))
            #expect(location.state == .dead)
            let dead = try spool.record(at: location)
            #expect(dead.result == nil)
            #expect(dead.finishedAt == clock.now)
        }
    }
}
