import SpoolCore
import SpoolSystem
import SpoolTestSupport
import SystemPackage
import Testing

/// A finish that rewrites its task's file checks the attempts the file records against those it saw at its
/// claim: a late finish of a lost lease whose task came back under the same name (run meanwhile by another
/// worker, its attempt recorded) finds another attempt's file, leaves it as it is, and is refused. With the
/// `renameat2` flags (an exchange, undone) and without them (the file set aside, then put back).
@Suite struct AttemptFenceTests {
    enum Finish: CaseIterable, Sendable {
        case completeWithResult, retry, failForGood
    }

    @Test(arguments: [true, false], Finish.allCases)
    func aLateFinishFindingAnotherAttemptsFileIsRefused(withRenameFlags: Bool, finish: Finish) throws {
        try TemporarySpool.with { directory in
            let spool = withRenameFlags ? try directory.open() : try directory.openWithoutRenameFlags()
            if withRenameFlags, LocalProcess.environment(Spool.renameFlagsVariable) != "off" {
                #expect(spool.renameFlagsDescription == "noreplace,exchange")
            } else {
                #expect(spool.renameFlagsDescription == "none")
            }
            try spool.enqueue(NewTask(id: "task-1", type: "t", maxAttempts: 5))
            let name = try #require(try spool.oldestActive(queue: "default", limit: 1).names.first)
            let late = try #require(try spool.claim(name, queue: "default"))

            var other = late.record
            other.attempts.append(
                Attempt(
                    number: 1,
                    startedAt: nil,
                    finishedAt: spool.clock.now,
                    worker: "elsewhere",
                    error: "lease expired"
                )
            )
            let path = "\(directory.path)/\(late.folder)/\(name)"
            try SpoolFiles.write(other.encoded, to: "\(directory.path)/other")
            try SpoolFiles.rename("\(directory.path)/other", to: path)
            let before = try SpoolFiles.read(path)

            #expect {
                switch finish {
                case .completeWithResult: try spool.complete(late, result: .string("late"))
                case .retry: try spool.fail(late, error: "late failure")
                case .failForGood: try spool.fail(late, error: "late failure", permanent: true)
                }
            } throws: {
                ($0 as? SpoolError)?.code == .leaseLost
            }
            #expect(try SpoolFiles.read(path) == before, "the other attempt's file is as it was")
            #expect(spool.find(id: "task-1")?.state == .running)
            DeferredUnlink.waitUntilIdle()
            #expect(SpoolFiles.names("\(directory.path)/tmp").isEmpty)
        }
    }
}
