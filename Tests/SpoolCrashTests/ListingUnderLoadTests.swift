import SpoolCore
import SpoolSystem
import SpoolTestSupport
import Testing

/// A reader listing a spool while worker processes drain it sees each task once, wherever it is.
@Suite(.serialized) struct ListingUnderLoadTests {
    @Test(.timeLimit(.minutes(2))) func aListingDuringADrainShowsEachTaskOnce() async throws {
        let worker = try TestWorkerLocator.resolve()
        try await TemporarySpool.with("listing") { directory in
            let spool = try directory.open(configuration: SpoolConfiguration(durability: .none))
            for index in 0..<2_000 {
                try spool.enqueue(NewTask(type: "test", payload: .object([JSONMember("n", .integer(index))])))
            }
            let log = "\(directory.path).drain.log"
            let drainers = try (0..<2).map { _ in try ChildProcess(worker, ["drain", directory.path, "default", log]) }
            var listings = 0
            while listings < 200 {
                let tasks = spool.list(limit: 10_000)
                #expect(Set(tasks.map(\.id)).count == tasks.count, "a task listed twice")
                listings += 1
                if tasks.allSatisfy({ $0.state == .done }) { break }
            }
            for drainer in drainers { _ = await drainer.waitForExit() }
            #expect(spool.list(limit: 10_000).count == 2_000)
            print("[listing] \(listings) listings during the drain")
        }
    }
}
