import SpoolCore
import SpoolSystem
import SpoolTestSupport
import Testing

#if canImport(Glibc)
@preconcurrency import Glibc
#elseif canImport(Musl)
@preconcurrency import Musl
#endif

/// Self-checks of ``SpoolInvariants``: a spool that kept every promise gives no violation, and each way of
/// breaking one gives a violation of the right invariant.
@Suite(.timeLimit(.minutes(1))) struct SpoolInvariantsTests {
    @Test func aSpoolThatKeptEveryPromiseHasNoViolation() throws {
        try Fixture.with { fixture in
            let quick = try fixture.enqueue("quick")
            try fixture.run(quick, attempt: 1, status: 0)
            let retried = try fixture.enqueue("retried")
            try fixture.run(retried, attempt: 1, status: 75)
            try fixture.run(retried, attempt: 2, status: 0)
            let killed = try fixture.enqueue("killed")
            try fixture.run(killed, attempt: 1, status: nil, recordedAs: "worker vm.1.2 exited during the attempt")
            try fixture.run(killed, attempt: 2, status: 0)
            let lost = try fixture.enqueue("lease")
            try fixture.run(lost, attempt: 1, status: 0, recordedAs: "lease expired at 2026-01-01T00:00:00.000Z")
            try fixture.run(lost, attempt: 2, status: 65)
            _ = try fixture.enqueue("waiting")
            try fixture.reject("bad.json", "{\"type\":")
            let report = fixture.check()
            #expect(report.violations.isEmpty, "\(report.listing)")
            #expect(report.acknowledged == 5)
            #expect(report.repeats == [.killed: 1, .leaseExpired: 1])
            #expect(report.states == [.done: 3, .dead: 1, .active: 1])
        }
    }

    @Test func aMissingAcknowledgedIDGivesI1() throws {
        try Fixture.with { fixture in
            let id = try fixture.enqueue("gone")
            let location = try #require(fixture.spool.find(id: id))
            unlink("\(fixture.root)/\(location.path)")
            let report = fixture.check()
            #expect(report.lost == 1)
            #expect(report.violations.map(\.invariant) == [.i1], "\(report.listing)")
            #expect(report.violations.first?.subject == id)
        }
    }

    @Test func aTaskNeverEnqueuedGivesI2() throws {
        try Fixture.with { fixture in
            let id = try fixture.spool.enqueue(NewTask(type: "kt/0/ok", payload: OperationLog.payload(tag: "ghost")))
            let report = fixture.check()
            #expect(report.violations.map(\.invariant) == [.i2], "\(report.listing)")
            #expect(report.violations.first?.subject == id)
        }
    }

    @Test func aRunLogWithOverlappingRunsGivesI4() throws {
        try Fixture.with { fixture in
            let id = try fixture.enqueue("overlap")
            // Attempt 1 wrote its end line after attempt 2 had started: it escaped the kill.
            try fixture.run(
                id,
                attempt: 1,
                status: 0,
                endingAt: 2500,
                recordedAs: "worker vm.1.2 exited during the attempt"
            )
            try fixture.run(id, attempt: 2, status: 0)
            let report = fixture.check()
            #expect(report.violations.map(\.invariant) == [.i4], "\(report.listing)")
            #expect(report.violations.first?.subject == id)
        }
    }

    @Test func twoRunsOfOneAttemptGiveI4() throws {
        try Fixture.with { fixture in
            let id = try fixture.enqueue("twice")
            try fixture.run(id, attempt: 1, status: 0)
            fixture.runLog += "\(id) 1 999 5000 -\n\(id) 1 999 5000 5100 0\n"
            let report = fixture.check()
            #expect(report.violations.map(\.invariant) == [.i4], "\(report.listing)")
        }
    }

    @Test func aRepeatThatIsNotCountedGivesI3() throws {
        try Fixture.with { fixture in
            let uncounted = try fixture.enqueue("uncounted")
            try fixture.run(uncounted, attempt: 1, status: 0)
            fixture.runLog += "\(uncounted) 2 999 5000 -\n"
            let mislabelled = try fixture.enqueue("mislabelled")
            try fixture.run(mislabelled, attempt: 1, status: 0, recordedAs: "exit status 75")
            try fixture.run(mislabelled, attempt: 2, status: 0)
            let report = fixture.check()
            #expect(report.violations.map(\.invariant) == [.i3, .i3], "\(report.listing)")
            #expect(Set(report.violations.map(\.subject)) == [uncounted, mislabelled])
        }
    }

    @Test func aTornOrEmptyTaskFileGivesI6() throws {
        try Fixture.with { fixture in
            let torn = try fixture.enqueue("torn")
            let empty = try fixture.enqueue("empty")
            for (id, keep) in [(torn, 20), (empty, 0)] {
                let path = "\(fixture.root)/\(try #require(fixture.spool.find(id: id)).path)"
                try SpoolFiles.write(Array(try SpoolFiles.read(path).prefix(keep)), to: path)
            }
            let report = fixture.check()
            #expect(report.violations.filter { $0.invariant == .i6 }.map(\.subject).sorted() == [empty, torn].sorted())
        }
    }

    @Test func anAttemptCountGoingBackwardsGivesI6() throws {
        try Fixture.with { fixture in
            let id = try fixture.enqueue("backwards")
            fixture.log.observe(attempts: [id: 2])
            fixture.log.observe(attempts: [id: 1])
            let report = fixture.check()
            #expect(report.violations.map(\.invariant) == [.i6, .i6], "\(report.listing)")
        }
    }

    @Test func aFileOutOfPlaceGivesI7() throws {
        try Fixture.with { fixture in
            let id = try fixture.enqueue("misplaced")
            let location = try #require(fixture.spool.find(id: id))
            let minute = "\(fixture.root)/scheduled/default/20200101/0000"
            try Syscall.makeDirectory("\(fixture.root)/scheduled/default", in: .currentWorkingDirectory)
            try Syscall.makeDirectory("\(fixture.root)/scheduled/default/20200101", in: .currentWorkingDirectory)
            try Syscall.makeDirectory(minute, in: .currentWorkingDirectory)
            let name = String(location.path.split(separator: "/").last!)
            try SpoolFiles.rename("\(fixture.root)/\(location.path)", to: "\(minute)/\(name)")
            let report = fixture.check()
            #expect(report.violations.map(\.invariant) == [.i7], "\(report.listing)")
            #expect(report.violations.first?.evidence.contains("outside its minute folder") == true)
        }
    }

    @Test func leftoversGiveI5() throws {
        try Fixture.with { fixture in
            let id = try fixture.enqueue("left")
            try SpoolFiles.write("half", to: "\(fixture.root)/tmp/w.vm.1.2.3")
            symlink("default/w.vm.1.2.4", "\(fixture.root)/ids/nobody")
            let worker = "\(fixture.root)/running/default/vm.1.2"
            try Syscall.makeDirectory("\(fixture.root)/running/default", in: .currentWorkingDirectory)
            try Syscall.makeDirectory(worker, in: .currentWorkingDirectory)
            symlink("4242.17", "\(worker)/0000000000001.\(id).group")
            let report = fixture.check()
            #expect(report.violations.map(\.invariant) == [.i5, .i5, .i5], "\(report.listing)")
        }
    }

    @Test func aBadDropThatIsDeletedGivesI8() throws {
        try Fixture.with { fixture in
            try fixture.reject("kept.json", "[1]")
            fixture.log.badDrop(name: "deleted.json", bytes: Array("[2]".utf8))
            let report = fixture.check()
            #expect(report.violations.map(\.invariant) == [.i8], "\(report.listing)")
            #expect(report.violations.first?.subject == "deleted.json")
        }
    }

    @Test func aBusyLoopOrAQueueThatDoesNotDrainGivesI9() async throws {
        try await TemporarySpool.with { directory in
            let spool = try directory.open()
            _ = try spool.enqueue(NewTask(type: "kt/0/ok"))
            let drain = await SpoolInvariants(root: directory.path).waitForDrain(within: 0.2)
            #expect(drain.violation?.invariant == .i9)
            let busy = try KillChild("/bin/sh", ["-c", "while :; do :; done"])
            let idle = await SpoolInvariants.checkIdle(pids: [busy.pid])
            busy.process.send(SIGKILL)
            _ = await busy.finish()
            #expect(idle.violations.map(\.invariant) == [.i9], "\(idle.ticks)")
        }
    }

    @Test func theRunLogPairsStartAndEndLines() {
        let log = HandlerRunLog(text: "a 1 10 100 -\nb 1 11 120 -\na 1 10 100 180 75\ngarbage\n")
        #expect(log.runs.count == 2)
        #expect(log.runs.first == HandlerRun(id: "a", attempt: 1, pid: 10, start: 100, end: 180, status: 75))
        #expect(log.runs.last?.end == nil)
        #expect(log.malformed == ["garbage"])
    }
}

/// A spool built by hand through the library, with the operation log and run log its checks need.
private final class Fixture {
    let directory: TemporarySpool
    let spool: Spool
    var log = OperationLog()
    var runLog = ""
    private var clock: Int64 = 1000
    private var pid: Int32 = 100

    var root: String { directory.path }

    private init(_ directory: TemporarySpool) throws {
        self.directory = directory
        spool = try directory.open()
    }

    static func with(_ function: String = #function, _ body: (Fixture) throws -> Void) throws {
        try TemporarySpool.with(function) { try body(Fixture($0)) }
    }

    /// Enqueues an acknowledged task (in `active/default/`) with the tag `tag`, retried without a wait.
    func enqueue(_ tag: String) throws -> String {
        let id = try spool.enqueue(
            NewTask(type: "kt/0/ok", payload: OperationLog.payload(tag: tag), backoff: .table([0]))
        )
        log.acknowledge(tag: tag, id: id, by: .library)
        return id
    }

    /// Claims task `id` and logs a run of `attempt` that ended with `status` (or never ended); then
    /// completes the task on status 0, or records the failure as `recordedAs`, else as the exec handler
    /// would (`exit status <status>`; 65 is permanent). A run starts 1 s after the previous one and ends
    /// 100 ms later, or at `endingAt`.
    func run(
        _ id: String,
        attempt: Int,
        status: Int32?,
        endingAt end: Int64? = nil,
        recordedAs error: String? = nil
    ) throws {
        let location = try #require(spool.find(id: id))
        let name = try #require(TaskFileName(String(location.path.split(separator: "/").last!)))
        let task = try #require(try spool.claim(name, queue: location.queue))
        pid += 1
        runLog += "\(id) \(attempt) \(pid) \(clock) -\n"
        if let status { runLog += "\(id) \(attempt) \(pid) \(clock) \(end ?? clock + 100) \(status)\n" }
        clock += 1000
        if let error {
            try spool.fail(task, error: error)
        } else if status == 0 {
            try spool.complete(task)
        } else {
            try spool.fail(task, error: "exit status \(status ?? -1)", permanent: status == 65)
        }
    }

    /// Places a rejected drop as Spool would, and logs it.
    func reject(_ name: String, _ content: String) throws {
        try SpoolFiles.write(content, to: "\(root)/rejected/\(name)")
        try SpoolFiles.write("invalid JSON: unexpected end of data at byte 8\n", to: "\(root)/rejected/\(name).reason")
        log.badDrop(name: name, bytes: Array(content.utf8))
    }

    func check() -> InvariantReport {
        DeferredUnlink.waitUntilIdle()
        return SpoolInvariants(root: root).check(log: log, runs: HandlerRunLog(text: runLog))
    }
}
