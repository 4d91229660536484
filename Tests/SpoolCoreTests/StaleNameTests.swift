import SpoolCore
import SpoolSystem
import SpoolTestSupport
import Testing

#if canImport(Glibc)
@preconcurrency import Glibc
#endif

/// After a power loss, btrfs can keep the committed old name of a file that was moved on, when the old
/// folder was not flushed: the same task then has two names. Recovery keeps the later one.
@Suite struct StaleNameTests {
    static let gone = WorkerName(host: WorkerName.current.host, pid: Int32.max - 3, startTicks: 1)

    @Test func aFinishedTasksOldNameInRunningIsRemovedNotReturned() throws {
        try TemporarySpool.with { directory in
            let lost = try directory.open(worker: StaleNameTests.gone)
            let id = try lost.enqueue(NewTask(type: "t"))
            let name = try #require(try lost.oldestActive(queue: "default", limit: 1).names.first)
            let task = try #require(try lost.claim(name, queue: "default"))
            let running = "\(directory.path)/\(task.folder)/\(task.fileName)"
            try lost.complete(task)
            let done = "\(directory.path)/\(try #require(lost.find(id: id)).path)"
            #expect(link(done, running) == 0, "the old name, back after the power loss")
            let report = try directory.open().runJanitor()
            #expect(report.orphanedLeases == 0, "the task is not run again")
            #expect(!SpoolFiles.files(under: "\(directory.path)/running").contains { $0.hasSuffix(".json") })
            #expect(lost.find(id: id)?.state == .done)
        }
    }

    @Test func aPlacedTasksOldStagingNameKeepsItsReservation() throws {
        try TemporarySpool.with { directory in
            let spool = try directory.open(worker: StaleNameTests.gone)
            let id = try spool.enqueue(NewTask(id: "kept-1", type: "t"))
            let placed = "\(directory.path)/\(try #require(spool.find(id: id)).path)"
            let token = try #require(SpoolFiles.readLink("\(directory.path)/ids/\(id)"))
            let staged = String(token.split(separator: "/").last!)
            #expect(link(placed, "\(directory.path)/tmp/\(staged)") == 0)
            #expect(try directory.open().runJanitor().staleCopies == 1, "the old staging name goes")
            #expect(SpoolFiles.names("\(directory.path)/ids") == [id], "the reservation stays with the task")
            #expect(throws: SpoolError.self) { try spool.enqueue(NewTask(id: id, type: "t")) }
        }
    }

    @Test func underFullAMoveFlushesTheFolderItLeaves() throws {
        try TemporarySpool.with { directory in
            let spool = try directory.open(configuration: SpoolConfiguration(durability: .full))
            try spool.enqueue(NewTask(type: "t"))
            let name = try #require(try spool.oldestActive(queue: "default", limit: 1).names.first)
            let task = try #require(try spool.claim(name, queue: "default"))
            let faults = SyscallFaults(recordingFlushes: true)
            try SyscallFaults.withFaults(faults) { try spool.complete(task) }
            #expect(faults.flushedPaths.contains("fsync \(directory.path)/\(task.folder)"), "\(faults.flushedPaths)")
        }
    }
}
