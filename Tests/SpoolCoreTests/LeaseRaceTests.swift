import SpoolCore
import SpoolSystem
import SpoolTestSupport
import Testing

/// A janitor returning an expired lease races the worker finishing it: exactly one of the two takes
/// effect, and the task is in one place afterwards, never lost, never both finished and retried.
@Suite struct LeaseRaceTests {
    @Test func aJanitorAndALateFinishNeverBothTakeEffect() async throws {
        var outcomes: [String: Int] = [:]
        for round in 0..<150 {
            try await TemporarySpool.with { directory in
                let clock = ManualClock()
                let configuration = SpoolConfiguration(leaseDuration: 1)
                let worker = try directory.open(
                    configuration: configuration,
                    clock: clock,
                    worker: WorkerName(host: "far", pid: 1, startTicks: 1)
                )
                let id = try worker.enqueue(NewTask(type: "t", backoff: .table([60])))
                let name = try #require(try worker.oldestActive(queue: "default", limit: 1).names.first)
                let task = try #require(try worker.claim(name, queue: "default"))
                clock.advance(by: 5)
                let janitor = try directory.open(
                    configuration: configuration,
                    clock: clock,
                    worker: WorkerName(host: "near", pid: 2, startTicks: 2)
                )
                async let finish: Bool = {
                    do {
                        try worker.complete(task, result: round.isMultiple(of: 2) ? .string("ok") : nil)
                        return true
                    } catch {
                        return false
                    }
                }()
                async let returned = janitor.runJanitor().expiredLeases
                let (finished, expired) = await (finish, returned)
                #expect(finished != (expired == 1), "round \(round): finished \(finished), returned \(expired)")
                let places = SpoolFiles.files(under: directory.path).filter { $0.contains(id) && !$0.hasPrefix("tmp/") }
                #expect(places.count == 1, "round \(round): \(places)")
                let location = try #require(worker.find(id: id))
                let record = try worker.record(at: location)
                if finished {
                    #expect(location.state == .done && record.attempts.isEmpty)
                } else {
                    #expect(location.state == .scheduled && record.attempts.count == 1)
                }
                outcomes[finished ? "finished" : "returned", default: 0] += 1
            }
        }
        print("[lease-race] \(outcomes)")
    }
}
