import SpoolCore
import SpoolSystem
import SpoolTestSupport
import Testing

/// The flushes FORMAT.md promises under `enqueue` durability, checked by the paths actually flushed: ext4
/// commits earlier metadata with any flush and hides a missing one, other filesystems do not.
@Suite struct FolderFlushTests {
    @Test func aNewSpoolFlushesItsBaseFoldersIntoTheRoot() throws {
        try TemporarySpool.with { directory in
            let root = "\(directory.path)/new"
            let faults = SyscallFaults(recordingFlushes: true)
            _ = try SyscallFaults.withFaults(faults) { try Spool(root: root) }
            #expect(faults.flushedPaths.contains("fsync \(root)"), "\(faults.flushedPaths)")
            #expect(faults.flushedPaths.contains("fsync \(directory.path)"), "the new root into its parent")
        }
    }

    @Test func aMinuteFolderAnotherProcessMadeIsFlushedIntoItsParentBeforeTheEnqueueReturns() throws {
        try TemporarySpool.with { directory in
            let clock = ManualClock()
            let spool = try directory.open(clock: clock)
            let due = clock.now.adding(seconds: 600)
            let day = "\(directory.path)/scheduled/default/\(due.dayFolderName)"
            // Made by another process that has not flushed it yet.
            try SpoolFiles.makeDirectory("\(directory.path)/scheduled/default")
            try SpoolFiles.makeDirectory(day)
            try SpoolFiles.makeDirectory("\(day)/\(due.minuteFolderName)")
            let faults = SyscallFaults(recordingFlushes: true)
            try SyscallFaults.withFaults(faults) { _ = try spool.enqueue(NewTask(type: "t", runAt: due)) }
            let flushed = faults.flushedPaths
            #expect(flushed.contains("fsync \(day)/\(due.minuteFolderName)"), "\(flushed)")
            #expect(flushed.contains("fsync \(day)"), "the minute folder's name, into the day folder")
            #expect(flushed.contains("fsync \(directory.path)/scheduled/default"))
            #expect(flushed.contains("fsync \(directory.path)/scheduled"))
        }
    }

    @Test func aDropAlreadyInNormalFormIsFlushedByIngest() throws {
        try TemporarySpool.with { directory in
            let spool = try directory.open()
            let id = try spool.enqueue(NewTask(type: "t"))
            // Export the stored task (normal form), take it out, and drop it back unflushed.
            let location = try #require(spool.find(id: id))
            let bytes = try SpoolFiles.read("\(directory.path)/\(location.path)")
            try SpoolFiles.rename("\(directory.path)/\(location.path)", to: "\(directory.path)/incoming/again.json")
            let faults = SyscallFaults(recordingFlushes: true)
            let outcome = try SyscallFaults.withFaults(faults) { try spool.ingest("again.json") }
            #expect(outcome == .accepted(id: id, queue: "default"))
            #expect(try SpoolFiles.read("\(directory.path)/\(#require(spool.find(id: id)).path)") == bytes)
            #expect(
                faults.flushedPaths.contains { $0.hasPrefix("fdatasync \(directory.path)/tmp/in.") },
                "\(faults.flushedPaths)"
            )
        }
    }
}
