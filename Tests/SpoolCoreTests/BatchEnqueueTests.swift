import SpoolCore
import SpoolSystem
import SpoolTestSupport
import SystemPackage
import Testing

@Suite struct BatchEnqueueTests {
    @Test func tasksLandInPlaceInOrderWithOneFilesystemFlush() throws {
        try TemporarySpool.with { directory in
            let clock = ManualClock(Timestamp(rfc3339: "2026-11-21T10:00:30Z")!)
            let spool = try directory.open(clock: clock)
            let tasks = (0..<50).map { NewTask(type: "t", payload: .integer($0), delay: $0 % 2 == 0 ? nil : 120) }
            let faults = SyscallFaults()
            let ids = try SyscallFaults.withFaults(faults) { try spool.enqueue(contentsOf: tasks) }
            #expect(ids.count == 50)
            #expect(Set(ids).count == 50)
            #expect(faults.count("syncfs") == 1)
            #expect(faults.count("fdatasync") == 0, "no flush per file")
            #expect(faults.count("fsync") <= 6, "each target folder once, plus new folders into their parents")
            #expect(SpoolFiles.names("\(directory.path)/active/default").count == 25)
            #expect(SpoolFiles.names("\(directory.path)/scheduled/default/20261121/1002").count == 25)
            for (index, id) in ids.enumerated() {
                let record = try spool.record(at: #require(spool.find(id: id)))
                #expect(record.payload == .integer(index))
                #expect(record.createdAt == clock.now)
            }
            #expect(SpoolFiles.names("\(directory.path)/tmp").isEmpty)
        }
    }

    @Test func durabilityNoneFlushesNothing() throws {
        try TemporarySpool.with { directory in
            let spool = try directory.open(configuration: SpoolConfiguration(durability: .none))
            let faults = SyscallFaults()
            try SyscallFaults.withFaults(faults) {
                _ = try spool.enqueue(contentsOf: [NewTask(type: "a"), NewTask(type: "b")])
            }
            #expect(faults.count("syncfs") + faults.count("fsync") + faults.count("fdatasync") == 0)
            #expect(spool.list().count == 2)
        }
    }

    @Test func anInvalidTaskRefusesTheWholeBatch() throws {
        try TemporarySpool.with { directory in
            let spool = try directory.open()
            #expect {
                try spool.enqueue(contentsOf: [NewTask(type: "good"), NewTask(queue: "Bad Queue", type: "t")])
            } throws: { error in
                let error = error as? SpoolError
                return error?.code == .invalidArgument && error?.message.hasPrefix("task 2 of 2:") == true
            }
            #expect(SpoolFiles.contents(ofSpool: directory.path).isEmpty)
        }
    }

    @Test func aFullDiskWhileWritingLeavesNothingBehind() throws {
        try TemporarySpool.with { directory in
            let spool = try directory.open()
            let faults = SyscallFaults().inject(.fail(.noSpace), into: "write", after: 2)
            #expect {
                try SyscallFaults.withFaults(faults) {
                    try spool.enqueue(contentsOf: [
                        NewTask(id: "one", type: "t"), NewTask(id: "two", type: "t"), NewTask(type: "t"),
                    ])
                }
            } throws: { ($0 as? SpoolError)?.code == .noSpace }
            #expect(SpoolFiles.contents(ofSpool: directory.path).isEmpty, "no staging file and no reservation left")
            try spool.enqueue(contentsOf: [NewTask(id: "one", type: "t"), NewTask(id: "two", type: "t")])
            #expect(spool.list().count == 2)
        }
    }

    @Test func aFailureWhilePlacingTakesThePlacedTasksBack() throws {
        try TemporarySpool.with { directory in
            let spool = try directory.open()
            let faults = SyscallFaults().inject(.fail(.noSpace), into: "renameat2", after: 2)
            #expect {
                try SyscallFaults.withFaults(faults) {
                    try spool.enqueue(contentsOf: (0..<4).map { NewTask(id: "task-\($0)", type: "t") })
                }
            } throws: { error in
                (error as? SpoolError)?.code == .noSpace
            }
            #expect(spool.list().isEmpty, "nothing is acknowledged, nothing stays")
            #expect(SpoolFiles.names("\(directory.path)/tmp").isEmpty)
            #expect(SpoolFiles.names("\(directory.path)/ids").isEmpty)
            try spool.enqueue(contentsOf: (0..<4).map { NewTask(id: "task-\($0)", type: "t") })
            #expect(spool.list().count == 4)
        }
    }

    @Test func aDuplicateIdRefusesTheBatchBeforeAnythingIsPlaced() throws {
        try TemporarySpool.with { directory in
            let spool = try directory.open()
            try spool.enqueue(NewTask(id: "taken", type: "first"))
            #expect {
                try spool.enqueue(contentsOf: [NewTask(id: "fresh", type: "t"), NewTask(id: "taken", type: "t")])
            } throws: { ($0 as? SpoolError)?.code == .alreadyExists }
            #expect(spool.list().count == 1)
            #expect(spool.find(id: "fresh") == nil)
            try spool.enqueue(NewTask(id: "fresh", type: "t"))
        }
    }
}
