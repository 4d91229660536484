import SpoolCore
import SpoolTestSupport
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// `spoold` killed (`SIGKILL`) while handlers run, then started again: the promise holds.
@Suite(.timeLimit(.minutes(3))) struct DaemonKillTests {
    /// The exec handler's process group is adopted by init when the daemon dies and would run on; the next
    /// daemon's janitor kills it before it returns the lease, so attempt 1 never runs beside attempt 2.
    @Test(arguments: [false, true])
    func anAttemptNeverOverlapsItsRetryAfterTheDaemonIsKilled(beforeTheGroupIsRecorded: Bool) async throws {
        try await TemporarySpool.with { directory in
            let log = "\(directory.path)/attempts.log"
            try writeSlowHandlerSpool(directory, log: log, seconds: 3)
            let spool = try directory.open()
            let id = try spool.enqueue(NewTask(queue: "work", type: "job"))
            let first = try ChildProcess("spoold", ["--spool", directory.path])
            #expect(await eventually { lines(of: log) == ["start 1"] })
            first.send(SIGKILL)
            _ = await first.waitForExit()
            if beforeTheGroupIsRecorded {
                // As if the daemon died between starting the command and recording its group.
                for path in SpoolFiles.files(under: "\(directory.path)/running") where path.hasSuffix(".group") {
                    unlink("\(directory.path)/running/\(path)")
                }
            }

            let second = try ChildProcess("spoold", ["--spool", directory.path])
            #expect(await eventually(within: 30) { spool.find(id: id)?.state == .done })
            // Attempt 1 would have ended 3 s after it started; give it the time to show itself.
            try await Task.sleep(for: .seconds(1))
            second.send(SIGTERM)
            #expect(await second.wait() == 0, "\(second.errorOutput)")
            #expect(lines(of: log) == ["start 1", "start 2", "end 2"], "attempt 1 ran on beside attempt 2")
            let record = try spool.record(at: #require(spool.find(id: id)))
            #expect(record.attempts.first?.error.contains("exited during the attempt") == true)
            #expect(second.errorOutput.contains("killed the process group"))
        }
    }
}
