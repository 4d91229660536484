import SpoolCore
import SpoolSystem
import SpoolTestSupport
import SystemPackage
import Testing

#if canImport(Glibc)
@preconcurrency import Glibc
#endif

/// Ingest at the limits of names, and under faults of the filesystem.
@Suite struct IngestLimitTests {
    @Test func theLongestHostNameWithTheLongestDropName() throws {
        try TemporarySpool.with { directory in
            let worker = WorkerName(host: String(repeating: "h", count: 60), pid: .max, startTicks: .max)
            let spool = try directory.open(worker: worker)
            let name = String(repeating: "d", count: 195) + ".json"
            try SpoolFiles.write(#"{"type":"t","id":"long-1"}"#, to: "\(directory.path)/incoming/\(name)")
            #expect(try spool.ingest(name) == .accepted(id: "long-1", queue: "default"))
            try SpoolFiles.write("{oops", to: "\(directory.path)/incoming/\(name)")
            guard case .rejected(let kept, _) = try spool.ingest(name) else {
                Issue.record("an invalid drop with the longest name is rejected")
                return
            }
            #expect(kept == name)
            #expect(SpoolFiles.names("\(directory.path)/tmp").isEmpty)
        }
    }

    @Test func aDropWhoseIngestTheFilesystemFailsIsBackInIncoming() throws {
        try TemporarySpool.with { directory in
            let spool = try directory.open()
            try SpoolFiles.write(#"{"type":"t","id":"given"}"#, to: "\(directory.path)/incoming/full.json")
            let faults = SyscallFaults().inject(.fail(.noSpace), into: "write", times: 1)
            #expect {
                try SyscallFaults.withFaults(faults) { try spool.ingest("full.json") }
            } throws: { error in
                (error as? SpoolError)?.code == .noSpace
            }
            #expect(SpoolFiles.names("\(directory.path)/incoming") == ["full.json"])
            #expect(SpoolFiles.names("\(directory.path)/tmp").isEmpty)
            #expect(SpoolFiles.names("\(directory.path)/ids").isEmpty, "its id goes back with it")
            #expect(try spool.ingest("full.json") == .accepted(id: "given", queue: "default"))
        }
    }
}

/// Names and links that could make a task's file something else than what Spool wrote.
@Suite struct IngestIdentityTests {
    @Test func aWorkerNameParsesOnlyInTheFormItPrintsIn() {
        #expect(WorkerName("h.1.2")?.description == "h.1.2")
        #expect(WorkerName("h.01.2") == nil, "the folder found must be the folder meant")
        #expect(WorkerName("h.1.002") == nil)
        #expect(WorkerName("h.-0.2") == nil)
    }

    @Test func aHardLinkedDropInNormalFormIsStoredAsAFileOfItsOwn() throws {
        try TemporarySpool.with { directory in
            let spool = try directory.open()
            let id = try spool.enqueue(NewTask(type: "t"))
            let location = try #require(spool.find(id: id))
            let outside = "\(directory.path)/producer-copy.json"
            try SpoolFiles.rename("\(directory.path)/\(location.path)", to: outside)
            #expect(link(outside, "\(directory.path)/incoming/linked.json") == 0)
            #expect(try spool.ingest("linked.json") == .accepted(id: id, queue: "default"))
            let stored = try Syscall.status(
                "\(directory.path)/\(try #require(spool.find(id: id)).path)",
                in: .currentWorkingDirectory
            )
            let producer = try Syscall.status(outside, in: .currentWorkingDirectory)
            #expect(stored.inode != producer.inode, "the producer's name cannot change the task")
            #expect(stored.linkCount == 1)
        }
    }
}
