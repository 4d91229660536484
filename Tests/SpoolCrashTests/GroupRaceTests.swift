import SpoolCore
import SpoolSystem
import SpoolTestSupport
import Testing

#if canImport(Glibc)
@preconcurrency import Glibc
#elseif canImport(Musl)
@preconcurrency import Musl
#endif

/// Several processes record a group's last results at the same instant, and race to take its callback: it
/// is enqueued exactly once.
///
/// Each round enqueues a group of ``members`` members; as many `spool-test-worker claim` children each
/// claim and complete one, stopping themselves (`SIGSTOP`) just before they place their result marker
/// (the fourth rename: claim, rewrite, finishing move, marker). Once all are stopped they are continued
/// together: every one of them may then find the group complete and try to take the callback.
@Suite(.serialized) struct GroupRaceTests {
    static let members = 8
    static let rounds = 20

    @Test(.timeLimit(.minutes(3)))
    func processesFinishingTheLastMembersTogetherEnqueueTheCallbackOnce() async throws {
        for round in 0..<GroupRaceTests.rounds { try await race(round) }
    }

    private func race(_ round: Int) async throws {
        try await TemporarySpool.with("grouprace") { directory in
            let root = directory.path
            let spool = try Spool(root: root)
            let receipt = try spool.enqueue(
                group: NewGroup(
                    members: (0..<GroupRaceTests.members).map { _ in NewTask(type: "test") },
                    callback: [NewTask(queue: "callback", type: "callback")]
                )
            )
            var children: [ChildProcess] = []
            for _ in 0..<GroupRaceTests.members {
                children.append(
                    try ChildProcess(
                        try TestWorkerLocator.resolve(),
                        ["claim", root, "default", "complete", "--stop-at", "renameat2:3"]
                    )
                )
            }
            var stopped = true
            for child in children { stopped = await waitUntilStopped(child.pid) && stopped }
            for child in children { child.send(SIGCONT) }
            var exits: [ChildProcess.Exit] = []
            for child in children { exits.append(await child.waitForExit()) }
            #expect(stopped, "round \(round): a child never stopped")
            #expect(exits.allSatisfy { $0 == .exited(0) }, "round \(round): \(exits)")

            let callbackID = try #require(receipt.callback.first)
            let copies = SpoolInspection.files(of: callbackID, in: root)
            #expect(copies.count == 1, "round \(round): the callback is \(copies)")
            let folder = SpoolFiles.names("\(root)/groups/\(receipt.id)").sorted()
            let markers = (0..<GroupRaceTests.members).map { "r.\($0).done.json" }
            #expect(folder == (["group.json"] + markers).sorted(), "round \(round): the group's folder holds \(folder)")
            // A child may exit before its thread deleted the old content of its rewrite: the janitor does.
            _ = spool.runJanitor()
            DeferredUnlink.waitUntilIdle()
            #expect(SpoolFiles.names("\(root)/tmp").isEmpty, "round \(round)")
        }
    }
}
