import SpoolCore
import SpoolTestSupport
import Testing

/// Several schedulers in separate processes on one spool, with no leader: each tick fires exactly once.
@Suite(.serialized) struct CronRaceTests {
    static let ticks = 100

    @Test(arguments: [2, 3])
    func schedulersInSeparateProcessesFireEachTickOnce(schedulers: Int) async throws {
        let worker = try TestWorkerLocator.resolve()
        try await TemporarySpool.with("cron-race") { directory in
            let spool = try directory.open()
            // Ticks every second from an hour ago, so that every task is due (active/) when fired.
            let start = spool.clock.now.adding(seconds: -3600)
            let startSecond = start.milliseconds / 1000 * 1000
            let at = spool.clock.now.adding(seconds: 0.3).milliseconds
            let children = try (0..<schedulers).map { _ in
                try ChildProcess(
                    worker,
                    [
                        "cron", directory.path, "* * * * * *", "\(startSecond)", "\(CronRaceTests.ticks)", "--at",
                        "\(at)",
                    ]
                )
            }
            var fired: [String] = []
            for child in children {
                let exit = await child.waitForExit()
                #expect(exit == .exited(0), "\(child.errorOutput)")
                fired += child.output.split(separator: "\n").compactMap {
                    $0.hasPrefix("fired ") ? String($0.dropFirst(6)) : nil
                }
            }
            let expected = (1...CronRaceTests.ticks).map { "cron-race-\(startSecond + Int64($0) * 1000)" }
            #expect(fired.count == CronRaceTests.ticks, "each tick fired by one process")
            #expect(Set(fired) == Set(expected))
            var found: [String] = []
            spool.forEachTask { location in
                found.append(location.id)
                return true
            }
            #expect(found.sorted() == expected.sorted(), "one task per tick in the spool")
        }
    }
}
