import SpoolCore
import SpoolSystem
import SpoolTestSupport
import Testing

/// Looking at a chain costs a few system calls per step, whatever the size of the spool: a step that is
/// not enqueued yet is told by its missing reservation, not by a search of every queue.
@Suite struct ChainInspectionCostTests {
    @Test func stepsNotEnqueuedYetAreNotSearchedFor() throws {
        try TemporarySpool.with { directory in
            let spool = try directory.open()
            // Twenty queues with tasks due in twenty different minutes: a search for a missing id opens
            // each of their folders.
            for queue in 0..<20 {
                for minute in 0..<20 {
                    try spool.enqueue(NewTask(queue: "q\(queue)", type: "t", delay: Double(60 * (minute + 1))))
                }
            }
            let ids = try spool.enqueue(chain: (0..<10).map { NewTask(id: "step-\($0)", type: "t") })
            try spool.complete(try #require(try spool.claimNext()), result: .null)
            let faults = SyscallFaults()
            let steps = try SyscallFaults.withFaults(faults) { try spool.chain(id: ids[0]) }
            #expect(steps.map(\.state) == [.done, .active] + Array(repeating: nil, count: 8))
            #expect(faults.count("openat") < 20, "\(faults.count("openat")) folders opened")
        }
    }
}
