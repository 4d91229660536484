import SpoolCore
import SpoolSystem
import SpoolTestSupport
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// Two hosts on one GlusterFS volume, each a `Spool` of its own on its own mount, with one manual clock: a
/// folder one host removed while the other held it open. GlusterFS answers `ESTALE`, not `ENOENT`, for a
/// folder removed through another mount; Spool must take it as a folder gone, open the folder again by
/// its path, and go on.
///
/// Runs when `SPOOL_CLUSTER_TESTS=1`, as ``GlusterClusterTests`` does.
@Suite(.serialized, .clusterTests)
struct GlusterStaleFolderTests {
    /// Host A's sweeper keeps a timer for a task in a minute folder; host B's sweeper promotes the task
    /// first and removes the drained folder. A's promotion then finds the task gone (done by B) instead of
    /// failing again and again on its stale handle of the folder.
    @Test(.timeLimit(.minutes(3)))
    func aMinuteFolderRemovedByAnotherHostEndsThePromotion() throws {
        try withTwoHosts { first, second, clock in
            let id = try first.enqueue(NewTask(type: "t", delay: 60))
            let path = try #require(first.find(id: id)?.path)
            #expect(path.hasPrefix("scheduled/default/20261205/1001/"))
            let sweeperA = Sweeper(spool: first)
            let sweeperB = Sweeper(spool: second)
            sweeperA.advance(now: clock.now)
            sweeperB.advance(now: clock.now)
            clock.set(Timestamp(rfc3339: "2026-12-05T10:01:10Z")!)
            sweeperA.advance(now: clock.now)
            #expect(sweeperA.pendingTimers == 1, "A holds a timer for the task")

            clock.set(Timestamp(rfc3339: "2026-12-05T10:02:05Z")!)
            sweeperB.advance(now: clock.now)
            #expect(second.find(id: id)?.state == .active, "B promoted the task")
            #expect(access("\(second.root)/scheduled/default/20261205/1001", F_OK) != 0, "B removed the folder")

            sweeperA.advance(now: clock.now)
            #expect(sweeperA.pendingTimers == 0, "A found the task promoted, not a failing promotion to retry")
            #expect(first.find(id: id)?.state == .active)
        }
    }

    /// Host A has read a task through a folder handle; host B removes the folder and makes it again with a
    /// task in it. A reads and moves that task through the folder's path, not its stale handle.
    @Test(.timeLimit(.minutes(3)))
    func aFolderMadeAgainByAnotherHostIsOpenedAgain() throws {
        try withTwoHosts { first, second, clock in
            let earlier = try first.enqueue(NewTask(type: "t", delay: 60))
            _ = try first.record(at: #require(first.find(id: earlier)))
            // B takes the task out of the folder, removes it, and puts another task in a new folder of the
            // same name.
            try second.cancel(id: earlier)
            let minuteFolder = "scheduled/default/20261205/1001"
            #expect(rmdir("\(second.root)/\(minuteFolder)") == 0)
            let later = try second.enqueue(NewTask(type: "t", delay: 45))
            let location = try #require(first.find(id: later))
            #expect(location.path.hasPrefix(minuteFolder + "/"))
            #expect(try first.record(at: location).id == later, "A reads the task in the new folder")

            clock.set(Timestamp(rfc3339: "2026-12-05T10:01:20Z")!)
            let sweeper = Sweeper(spool: first)
            sweeper.advance(now: clock.now)
            #expect(sweeper.pendingTimers == 0)
            #expect(second.find(id: later)?.state == .active, "A promoted the task in the new folder")
        }
    }

    /// A volume mounted twice, a spool at its root, and a `Spool` on each mount with distinct workers,
    /// sharing a manual clock set to 10:00:30.
    private func withTwoHosts(_ body: (Spool, Spool, ManualClock) throws -> Void) throws {
        let folder = TemporarySpool("stale").path
        defer { SpoolFiles.removeTree(folder) }
        let volume = try GlusterVolume("spoolstale", in: folder, mountNames: ["a", "b"])
        defer { try? volume.down() }
        let clock = ManualClock(Timestamp(rfc3339: "2026-12-05T10:00:30Z")!)
        let first = try Spool(
            root: volume.mounts[0],
            clock: clock,
            worker: WorkerName(host: "a", pid: 1, startTicks: 1)
        )
        let second = try Spool(
            root: volume.mounts[1],
            clock: clock,
            worker: WorkerName(host: "b", pid: 2, startTicks: 2)
        )
        try body(first, second, clock)
    }
}
