import SpoolCore
import SpoolSystem
import SpoolTestSupport
import SpoolWorker
import Testing

#if canImport(Glibc)
@preconcurrency import Glibc
#endif

/// The inotify watch limit reached (`fs.inotify.max_user_watches`, lowered for the test): the engine says so
/// once and finds arrivals by rescanning every poll interval, so nothing waits unseen. Needs root, and
/// puts the limit back afterwards.
@Suite(.serialized, .timeLimit(.minutes(1)), .enabled(if: getuid() == 0, "setting the watch limit needs root"))
struct WatchLimitTests {
    static let limitPath = "/proc/sys/fs/inotify/max_user_watches"

    @Test func arrivalsAreFoundWithoutWatchesWhenTheLimitIsReached() async throws {
        let saved = String(decoding: try SpoolFiles.read(WatchLimitTests.limitPath), as: UTF8.self)
        try await TemporarySpool.with { directory in
            let spool = try directory.open()
            try SpoolFiles.write("1\n", to: WatchLimitTests.limitPath)
            defer { try? SpoolFiles.write(saved, to: WatchLimitTests.limitPath) }
            let engine = SpoolEngine(spool: spool, configuration: EngineConfiguration(pollInterval: 0.2))
            try await whileRunning(engine) {
                try await Task.sleep(for: .milliseconds(300))
                try SpoolFiles.write(#"{"type":"t","id":"dropped"}"#, to: "\(directory.path)/incoming/.d")
                try SpoolFiles.rename("\(directory.path)/incoming/.d", to: "\(directory.path)/incoming/d.json")
                let later = try spool.enqueue(NewTask(type: "t", delay: 0.5))
                #expect(await eventually(within: 5) { spool.find(id: "dropped")?.state == .active })
                #expect(await eventually(within: 5) { spool.find(id: later)?.state == .active })
            }
        }
    }
}

/// Files that land in a due-minute folder before the engine's watch on it exists (the folder and the file
/// are made by one enqueue, microseconds apart) are promoted on time all the same: the folder is listed
/// once its watch is in place.
@Suite(.timeLimit(.minutes(1))) struct NewFolderRaceTests {
    @Test func tasksInFoldersMadeJustBeforeThemArePromoted() async throws {
        try await TemporarySpool.with { directory in
            let spool = try directory.open()
            let engine = SpoolEngine(spool: spool, configuration: EngineConfiguration(pollInterval: 60))
            try await whileRunning(engine) {
                try await Task.sleep(for: .milliseconds(200))
                var ids: [String] = []
                for index in 0..<40 {
                    // A new queue each time: its queue, day and minute folders are all new.
                    ids.append(try spool.enqueue(NewTask(queue: "q\(index)", type: "t", delay: 0.3)))
                }
                #expect(await eventually(within: 5) { ids.allSatisfy { spool.find(id: $0)?.state == .active } })
            }
        }
    }
}
