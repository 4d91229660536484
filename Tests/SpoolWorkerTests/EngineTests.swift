import SpoolCore
import SpoolSystem
import SpoolTestSupport
import SpoolWorker
import Synchronization
import Testing

/// Runs `engine` while `body` runs, then cancels it and waits for it to stop.
func whileRunning(_ engine: SpoolEngine, _ body: () async throws -> Void) async throws {
    try await withThrowingTaskGroup(of: Void.self) { group in
        group.addTask { try await engine.run() }
        defer { group.cancelAll() }
        try await body()
    }
}

@Suite(.timeLimit(.minutes(2))) struct EngineTests {
    @Test(arguments: [EngineConfiguration.WatchMode.inotify, .poll])
    func dropIsIngestedWhileRunning(mode: EngineConfiguration.WatchMode) async throws {
        try await TemporarySpool.with { directory in
            let spool = try directory.open()
            try SpoolFiles.write("{\"type\":\"t\",\"id\":\"early\"}", to: "\(directory.path)/incoming/early.json")
            let engine = SpoolEngine(
                spool: spool,
                configuration: EngineConfiguration(watchMode: mode, pollInterval: 0.05)
            )
            try await whileRunning(engine) {
                #expect(
                    await eventually { spool.find(id: "early")?.state == .active },
                    "a drop left before start is ingested"
                )
                try SpoolFiles.write("{\"type\":\"t\",\"id\":\"late\"}", to: "\(directory.path)/incoming/.late.tmp")
                try SpoolFiles.rename(
                    "\(directory.path)/incoming/.late.tmp",
                    to: "\(directory.path)/incoming/late.json"
                )
                #expect(await eventually { spool.find(id: "late")?.state == .active })
                try SpoolFiles.write("{oops", to: "\(directory.path)/incoming/bad.json")
                #expect(
                    await eventually {
                        SpoolFiles.names("\(directory.path)/rejected") == ["bad.json", "bad.json.reason"]
                    }
                )
            }
        }
    }

    @Test func inotifyActsWithinMilliseconds() async throws {
        try await TemporarySpool.with { directory in
            let spool = try directory.open(configuration: SpoolConfiguration(durability: .none))
            let engine = SpoolEngine(spool: spool)
            try await whileRunning(engine) {
                #expect(await eventually { SpoolFiles.names("\(directory.path)/incoming").isEmpty })
                try? await Task.sleep(for: .milliseconds(200))
                var worst: Int64 = 0
                for index in 0..<20 {
                    let start = SystemClock().now
                    try SpoolFiles.write(
                        "{\"type\":\"t\",\"id\":\"d\(index)\"}",
                        to: "\(directory.path)/incoming/d\(index).json"
                    )
                    #expect(await eventually { spool.find(id: "d\(index)") != nil })
                    worst = max(worst, SystemClock().now.milliseconds - start.milliseconds)
                }
                // Generous: a poll loop with a one-second tick could not pass this; inotify takes ~1 ms.
                #expect(worst < 500, "slowest ingest took \(worst) ms")
            }
        }
    }

    @Test func delayedTasksArePromotedWhenDue() async throws {
        try await TemporarySpool.with { directory in
            let spool = try directory.open(configuration: SpoolConfiguration(durability: .none))
            let engine = SpoolEngine(spool: spool)
            try await whileRunning(engine) {
                let due = SystemClock().now.adding(seconds: 1.5)
                let id = try spool.enqueue(NewTask(type: "t", runAt: due))
                // And one dropped into the current minute folder after the sweeper read it.
                let soon = try spool.enqueue(NewTask(type: "t", delay: 0.7))
                #expect(await eventually { spool.find(id: soon)?.state == .active })
                #expect(spool.find(id: id)?.state == .scheduled)
                #expect(await eventually { spool.find(id: id)?.state == .active })
                let late = SystemClock().now.milliseconds - due.milliseconds
                #expect(late >= 0 && late < 1000, "promoted \(late) ms after due")
            }
        }
    }

    @Test func workersRunHandlersAndRecordOutcomes() async throws {
        try await TemporarySpool.with { directory in
            let spool = try directory.open(configuration: SpoolConfiguration(durability: .none))
            var handlers = TaskHandlers()
            let calls = Mutex<[String]>([])
            handlers.register("double") { context in
                calls.withLock { $0.append(context.record.id) }
                guard let value = context.payload["n"]?.integerValue else { throw HandlerFailure.permanent("no n") }
                return .object([JSONMember("n", .integer(value * 2))])
            }
            handlers.register("flaky") { context in
                if context.attempt < 3 { throw HandlerFailure.retry("try again", after: 0.05) }
                return nil
            }
            let engine = SpoolEngine(spool: spool, handlers: handlers)
            let ok = try spool.enqueue(NewTask(type: "double", payload: .object([JSONMember("n", .integer(21))])))
            try await whileRunning(engine) {
                let bad = try spool.enqueue(NewTask(queue: "other", type: "double", payload: .null))
                let flaky = try spool.enqueue(NewTask(type: "flaky"))
                let unknown = try spool.enqueue(NewTask(type: "nobody", maxAttempts: 1))
                #expect(await eventually { spool.find(id: ok)?.state == .done })
                #expect(
                    try spool.record(at: #require(spool.find(id: ok))).result
                        == .object([JSONMember("n", .integer(42))])
                )
                #expect(await eventually { spool.find(id: bad)?.state == .dead })
                #expect(try spool.record(at: #require(spool.find(id: bad))).stateReason == "permanent failure: no n")
                #expect(await eventually { spool.find(id: flaky)?.state == .done })
                // No handler here: the task waits in active/, no attempt spent, for a process that has one.
                try await Task.sleep(for: .milliseconds(300))
                #expect(spool.find(id: unknown)?.state == .active)
                #expect(try spool.record(at: #require(spool.find(id: unknown))).attempts.isEmpty)
            }
            #expect(calls.withLock { $0.count } == 2)
            #expect(calls.withLock { $0.contains(ok) })
        }
    }

    @Test func twoWorkerProcessesShareABacklogAndRunEachTaskOnce() async throws {
        try await TemporarySpool.with { directory in
            let runs = Mutex<[String: [String]]>([:])
            let count = 3000
            var ids: [String] = []
            let setup = try directory.open(configuration: SpoolConfiguration(durability: .none))
            for start in stride(from: 0, to: count, by: 500) {
                ids += try setup.enqueue(contentsOf: (start..<start + 500).map { _ in NewTask(type: "t") })
            }
            // Small windows, so that the two pools lose races, step aside and list the folder again many times.
            let engines = try ["first", "second"].map { host in
                let spool = try directory.open(
                    configuration: SpoolConfiguration(durability: .none),
                    worker: WorkerName(host: host, pid: 1, startTicks: 1)
                )
                var handlers = TaskHandlers()
                handlers.register("t") { context in
                    runs.withLock { $0[context.record.id, default: []].append(host) }
                    return nil
                }
                return SpoolEngine(
                    spool: spool,
                    configuration: EngineConfiguration(roles: .working, workerConcurrency: 4, claimWindow: 64),
                    handlers: handlers
                )
            }
            try await whileRunning(engines[0]) {
                try await whileRunning(engines[1]) {
                    #expect(
                        await eventually(within: 60) {
                            runs.withLock { $0.count } == count && setup.list(state: .done, limit: count).count == count
                        }
                    )
                }
            }
            let byTask = runs.withLock { $0 }
            let missing = Set(ids).subtracting(byTask.keys)
            #expect(missing.isEmpty, "\(missing.count) of \(count) tasks never ran")
            #expect(byTask.values.allSatisfy { $0.count == 1 }, "no task ran twice")
            let first = byTask.values.filter { $0 == ["first"] }.count
            #expect(first > 0 && first < count, "both processes ran tasks (the first ran \(first))")
        }
    }

    @Test func concurrencyLimitIsHonoured() async throws {
        try await TemporarySpool.with { directory in
            let spool = try directory.open(configuration: SpoolConfiguration(durability: .none))
            let running = Mutex((now: 0, most: 0))
            var handlers = TaskHandlers()
            handlers.register("slow") { _ in
                running.withLock {
                    $0.now += 1; $0.most = max($0.most, $0.now)
                }
                try await Task.sleep(for: .milliseconds(20))
                running.withLock { $0.now -= 1 }
                return nil
            }
            for _ in 0..<30 { try spool.enqueue(NewTask(queue: "limited", type: "slow")) }
            let engine = SpoolEngine(
                spool: spool,
                configuration: EngineConfiguration(concurrency: ["limited": 3]),
                handlers: handlers
            )
            try await whileRunning(engine) {
                #expect(await eventually { spool.list(state: .done, limit: 100).count == 30 })
            }
            #expect(running.withLock { $0.most } == 3)
        }
    }

    @Test func shutdownHandsRunningTasksBack() async throws {
        try await TemporarySpool.with { directory in
            let spool = try directory.open()
            var handlers = TaskHandlers()
            let started = Mutex(false)
            handlers.register("long") { _ in
                started.withLock { $0 = true }
                try await Task.sleep(for: .seconds(60))
                return nil
            }
            let id = try spool.enqueue(NewTask(type: "long"))
            let engine = SpoolEngine(spool: spool, handlers: handlers)
            try await whileRunning(engine) {
                #expect(await eventually { started.withLock { $0 } })
                #expect(spool.find(id: id)?.state == .running)
            }
            let location = try #require(spool.find(id: id))
            #expect(location.state == .active)
            #expect(try spool.record(at: location).attempts.isEmpty, "a handed-back task has no attempt counted")
        }
    }

    @Test func aLongAttemptKeepsItsLeaseWhileOthersComeAndGo() async throws {
        try await TemporarySpool.with { directory in
            let spool = try directory.open(configuration: SpoolConfiguration(leaseDuration: 0.6))
            var handlers = TaskHandlers()
            handlers.register("long") { _ in
                try await Task.sleep(for: .milliseconds(1500))
                return .string("done")
            }
            handlers.register("short") { _ in .null }
            let id = try spool.enqueue(NewTask(type: "long", maxAttempts: 1))
            let engine = SpoolEngine(spool: spool, handlers: handlers)
            try await whileRunning(engine) {
                #expect(await eventually { spool.find(id: id)?.state == .running })
                // Attempts starting and ending around it, and a janitor looking for expired leases.
                for _ in 0..<3 {
                    try spool.enqueue(NewTask(type: "short"))
                    try? await Task.sleep(for: .milliseconds(300))
                    let report = spool.runJanitor()
                    #expect(report == JanitorReport(), "no lease was found expired: \(report)")
                }
                #expect(await eventually { spool.find(id: id)?.state == .done })
            }
            let record = try spool.record(at: #require(spool.find(id: id)))
            #expect(record.result == .string("done"))
            #expect(record.attempts.isEmpty)
        }
    }

    @Test func timeoutFailsTheAttempt() async throws {
        try await TemporarySpool.with { directory in
            let spool = try directory.open()
            var handlers = TaskHandlers()
            handlers.register("stuck") { _ in
                try await Task.sleep(for: .seconds(60))
                return nil
            }
            let id = try spool.enqueue(NewTask(type: "stuck", maxAttempts: 1, timeout: 0.2))
            let engine = SpoolEngine(spool: spool, handlers: handlers)
            try await whileRunning(engine) {
                #expect(await eventually { spool.find(id: id)?.state == .dead })
            }
            #expect(try spool.record(at: #require(spool.find(id: id))).attempts.first?.error == "timed out after 0.2 s")
        }
    }
}
