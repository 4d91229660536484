import SpoolCore
import SpoolTestSupport
import Testing

/// A bug the kill tests found (docs/RELIABILITY.md, "Known issues", fixed): a janitor that returned an
/// expired lease of its own process (`spoold` stopped past its lease, then continued) raced that process's
/// own finish of the task. Unlike the return of another worker's lease, it did not first move the file into
/// a folder of its own, so the two rewrite-then-rename sequences interleaved on one file: the task could
/// land in `done/` with a failed attempt recorded and no result, or go back to be retried with the result
/// and without the attempt counted. A janitor now leaves its own process's leases alone.
@Suite struct OwnLeaseRaceTests {
    @Test func aJanitorLeavesItsOwnProcesssExpiredLeaseToItsFinish() async throws {
        var outcomes: [String: Int] = [:]
        for round in 0..<150 {
            try await TemporarySpool.with { directory in
                let clock = ManualClock()
                let configuration = SpoolConfiguration(leaseDuration: 1)
                // One process: the worker and the janitor have the same name.
                let me = WorkerName(host: "here", pid: 1, startTicks: 1)
                let worker = try directory.open(configuration: configuration, clock: clock, worker: me)
                let janitor = try directory.open(configuration: configuration, clock: clock, worker: me)
                let id = try worker.enqueue(NewTask(type: "t", backoff: .table([60])))
                let name = try #require(try worker.oldestActive(queue: "default", limit: 1).names.first)
                let task = try #require(try worker.claim(name, queue: "default"))
                clock.advance(by: 5)
                async let finish: Bool = {
                    do {
                        try worker.complete(task, result: .string("ok"))
                        return true
                    } catch {
                        return false
                    }
                }()
                async let returned = janitor.runJanitor().expiredLeases
                let (finished, expired) = await (finish, returned)
                let location = try #require(worker.find(id: id))
                let record = try worker.record(at: location)
                let outcome =
                    "\(location.state.rawValue), \(record.attempts.count) attempts, "
                    + "\(record.result == nil ? "no result" : "result")"
                outcomes[outcome, default: 0] += 1
                #expect(finished && expired == 0, "round \(round): finished \(finished), returned \(expired)")
                #expect(outcome == "done, 0 attempts, result", "round \(round)")
            }
        }
        print("[own-lease-race] \(outcomes.sorted { $0.key < $1.key })")
    }
}
