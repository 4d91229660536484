import SpoolCore
import SpoolSystem
import SpoolTestSupport
import SystemPackage
import Testing

/// A workflow step that a full disk kept from its place (a chain's next step, a group's callback, a group's
/// members) is placed by the next janitor pass of the same process once space is back: other processes leave a
/// live process's work alone, so a single daemon would otherwise hold it until it restarts.
@Suite struct StrandedWorkTests {
    @Test func aNextStepThatFoundTheDiskFullIsPlacedByTheNextJanitorPass() throws {
        try TemporarySpool.with { directory in
            let spool = try directory.open()
            let ids = try spool.enqueue(chain: [NewTask(type: "fetch"), NewTask(type: "store", payload: .object([]))])
            let fetch = try #require(try spool.claimNext())
            // The next step's id reservation, its first new entry after its staging.
            let full = SyscallFaults().inject(.fail(.noSpace), into: "symlinkat")
            try SyscallFaults.withFaults(full) { try spool.complete(fetch, result: .integer(1)) }
            #expect(full.count("symlinkat") == 1)
            #expect(spool.find(id: ids[0])?.state == .done)
            #expect(spool.find(id: ids[1]) == nil)

            #expect(spool.runJanitor().workflowSteps == 1)
            let store = try #require(try spool.claimNext())
            #expect(store.record.id == ids[1])
            #expect(store.record.payload["parent_result"] == .integer(1))
            #expect(spool.runJanitor().workflowSteps == 0)
            DeferredUnlink.waitUntilIdle()
            #expect(SpoolFiles.names("\(directory.path)/tmp").isEmpty)
        }
    }

    @Test func aGroupCallbackThatFoundTheDiskFullIsEnqueuedByTheNextJanitorPass() throws {
        try TemporarySpool.with { directory in
            let spool = try directory.open()
            let receipt = try spool.enqueue(
                group: NewGroup(members: [NewTask(type: "add")], callback: [NewTask(type: "sum")])
            )
            let member = try #require(try spool.claimNext())
            // The callback's id reservation, once the member's result is recorded and the callback taken.
            let full = SyscallFaults().inject(.fail(.noSpace), into: "symlinkat")
            try SyscallFaults.withFaults(full) { try spool.complete(member, result: .integer(2)) }
            #expect(full.count("symlinkat") == 1)
            #expect(spool.find(id: receipt.callback[0]) == nil)

            #expect(spool.runJanitor().workflowSteps == 1)
            let callback = try #require(try spool.claimNext())
            #expect(callback.record.id == receipt.callback[0])
            #expect(callback.record.payload == .array([.integer(2)]))
            #expect(try spool.group(id: receipt.id).callback == .enqueued)
        }
    }

    @Test func groupMembersThatFoundTheDiskFullArePlacedByTheNextJanitorPass() throws {
        let group = NewGroup(
            id: "g1",
            members: (0..<3).map { NewTask(id: "g1-m\($0)", type: "add") },
            callback: [NewTask(type: "sum")]
        )
        // The renames a group's enqueue makes, the members' placements last.
        let renames = try TemporarySpool.with { directory in
            let spool = try directory.open()
            let counting = SyscallFaults()
            try SyscallFaults.withFaults(counting) { _ = try spool.enqueue(group: group) }
            return counting.count("renameat2")
        }
        try TemporarySpool.with { directory in
            let spool = try directory.open()
            let full = SyscallFaults().inject(.fail(.noSpace), into: "renameat2", after: renames - 3, times: 3)
            let receipt = try SyscallFaults.withFaults(full) { try spool.enqueue(group: group) }
            #expect(receipt.members == ["g1-m0", "g1-m1", "g1-m2"])
            #expect(receipt.members.allSatisfy { spool.find(id: $0) == nil })

            #expect(spool.runJanitor().workflowSteps == 1)
            #expect(receipt.members.allSatisfy { spool.find(id: $0)?.state == .active })
            #expect(spool.runJanitor().workflowSteps == 0)
        }
    }
}
