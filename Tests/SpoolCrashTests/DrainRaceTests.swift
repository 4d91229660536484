import SpoolCore
import SpoolSystem
import SpoolTestSupport
import Testing

#if canImport(Glibc)
@preconcurrency import Glibc
#elseif canImport(Musl)
@preconcurrency import Musl
#endif

/// Several worker processes claiming from one queue at once: every task runs exactly once.
@Suite(.serialized) struct DrainRaceTests {
    static let taskCount = 5_000
    static let drainers = 8

    @Test(.timeLimit(.minutes(5)))
    func eightDrainersRunEveryTaskExactlyOnce() async throws {
        let worker = try TestWorkerLocator.resolve()
        try await TemporarySpool.with("race") { directory in
            let root = directory.path
            let spool = try directory.open(configuration: SpoolConfiguration(durability: .none))
            let start = monotonicSeconds()
            var ids = Set<String>()
            for index in 0..<DrainRaceTests.taskCount {
                ids.insert(
                    try spool.enqueue(NewTask(type: "test", payload: .object([JSONMember("n", .integer(index))])))
                )
            }
            try #require(ids.count == DrainRaceTests.taskCount)
            let enqueued = monotonicSeconds()

            let log = "\(root).drain.log"
            defer { unlink(log) }
            let children = try (0..<DrainRaceTests.drainers).map { _ in
                try ChildProcess(worker, ["drain", root, "default", log])
            }
            for child in children {
                let exit = await child.waitForExit()
                #expect(exit == .exited(0), "drainer \(child.pid) \(exit): \(child.output)\(child.errorOutput)")
            }

            let drained = monotonicSeconds()
            print(
                "[race] enqueue \(DrainRaceTests.taskCount) tasks: \(Int((enqueued - start) * 1000)) ms; \(DrainRaceTests.drainers) drainers: \(Int((drained - enqueued) * 1000)) ms"
            )

            // The combined log: one line per claim, "<id> <attempt> <pid>".
            let lines = try SpoolFiles.read(log).split(separator: UInt8(ascii: "\n")).map {
                String(decoding: $0, as: UTF8.self)
            }
            var claims: [String: Int] = [:]
            var perProcess: [String: Int] = [:]
            var notFirstAttempt: [String] = []
            for line in lines {
                let fields = line.split(separator: " ").map(String.init)
                guard fields.count == 3 else {
                    Issue.record("malformed log line \"\(line)\"")
                    continue
                }
                claims[fields[0], default: 0] += 1
                perProcess[fields[2], default: 0] += 1
                if fields[1] != "1" { notFirstAttempt.append(line) }
            }
            #expect(notFirstAttempt.isEmpty, "claims that were not a first attempt: \(notFirstAttempt.prefix(20))")
            let twice = claims.filter { $0.value > 1 }.keys.sorted()
            let never = ids.subtracting(claims.keys).sorted()
            let unknown = Set(claims.keys).subtracting(ids).sorted()
            #expect(lines.count == DrainRaceTests.taskCount, "\(lines.count) claims logged")
            #expect(twice.isEmpty, "run more than once: \(twice.prefix(20))")
            #expect(never.isEmpty, "never run: \(never.prefix(20))")
            #expect(unknown.isEmpty, "unknown ids: \(unknown.prefix(20))")
            #expect(
                perProcess.count >= 2,
                "only \(perProcess.count) drainer(s) claimed anything: the race was not exercised"
            )
            print(
                "[race] claims per drainer pid: \(perProcess.sorted { $0.key < $1.key }.map { "\($0.key): \($0.value)" }.joined(separator: ", "))"
            )

            let checked = monotonicSeconds()
            let done = spool.list(state: .done, limit: Int.max)
            #expect(done.count == DrainRaceTests.taskCount)
            #expect(Set(done.map(\.id)) == ids)
            #expect(SpoolFiles.names("\(root)/active/default").isEmpty)
            #expect(SpoolFiles.files(under: "\(root)/running").isEmpty)
            DeferredUnlink.waitUntilIdle()  // the old content of each rewrite
            #expect(SpoolFiles.names("\(root)/tmp").isEmpty)
            #expect(spool.list(state: .scheduled, limit: 1).isEmpty && spool.list(state: .dead, limit: 1).isEmpty)
            print(
                "[race] log check: \(Int((checked - drained) * 1000)) ms; spool check: \(Int((monotonicSeconds() - checked) * 1000)) ms"
            )
        }
    }
}

/// Seconds on the monotonic clock.
func monotonicSeconds() -> Double {
    var spec = timespec()
    clock_gettime(CLOCK_MONOTONIC, &spec)
    return Double(spec.tv_sec) + Double(spec.tv_nsec) / 1e9
}
