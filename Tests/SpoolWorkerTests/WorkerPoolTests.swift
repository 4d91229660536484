import Logging
import ServiceLifecycle
import SpoolCore
import SpoolTestSupport
import SpoolWorker
import Synchronization
import Testing

/// Runs `engine` in a service group while `body` runs, then shuts the group down gracefully and waits.
func whileRunningGracefully(_ engine: SpoolEngine, _ body: () async throws -> Void) async throws {
    let group = ServiceGroup(
        configuration: ServiceGroupConfiguration(
            services: [.init(service: engine)],
            logger: Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() })
        )
    )
    try await withThrowingTaskGroup(of: Void.self) { tasks in
        tasks.addTask { try await group.run() }
        try await body()
        await group.triggerGracefulShutdown()
        try await tasks.waitForAll()
    }
}

/// The queues of the tasks its handlers ran, in order.
private final class QueueLog: Sendable {
    private let queues = Mutex<[String]>([])

    var all: [String] { queues.withLock { $0 } }

    /// Handlers for type `t` that log each task's queue.
    var handlers: TaskHandlers {
        var handlers = TaskHandlers()
        handlers.register("t") { [self] context in
            queues.withLock { $0.append(context.record.queue) }
            return nil
        }
        return handlers
    }
}

@Suite(.timeLimit(.minutes(2))) struct WorkerPoolTests {
    @Test func pausedQueueIsNotClaimedUntilResumed() async throws {
        try await TemporarySpool.with { directory in
            let spool = try directory.open()
            var handlers = TaskHandlers()
            handlers.register("t") { _ in nil }
            try spool.pause("mail")
            let paused = try spool.enqueue(NewTask(queue: "mail", type: "t"))
            let other = try spool.enqueue(NewTask(queue: "other", type: "t"))
            try await whileRunning(SpoolEngine(spool: spool, handlers: handlers)) {
                #expect(await eventually { spool.find(id: other)?.state == .done })
                try await Task.sleep(for: .milliseconds(200))
                #expect(spool.find(id: paused)?.state == .active, "a paused queue is not claimed from")
                let late = try spool.enqueue(NewTask(queue: "mail", type: "t"))
                try await Task.sleep(for: .milliseconds(100))
                #expect(spool.find(id: late)?.state == .active, "a paused queue keeps accepting tasks")
                try spool.resume("mail")
                #expect(
                    await eventually { spool.find(id: paused)?.state == .done && spool.find(id: late)?.state == .done }
                )
                try spool.pause("mail")
                let afterPause = try spool.enqueue(NewTask(queue: "mail", type: "t"))
                try await Task.sleep(for: .milliseconds(200))
                #expect(spool.find(id: afterPause)?.state == .active, "pausing a running queue stops its claims")
            }
            #expect(try spool.pausedQueues() == ["mail"])
        }
    }

    @Test func strictOrderServesTheHeaviestQueueFirst() async throws {
        try await TemporarySpool.with { directory in
            let spool = try directory.open()
            let log = QueueLog()
            let handlers = log.handlers
            for _ in 0..<5 { _ = try spool.enqueue(NewTask(queue: "low", type: "t")) }
            for _ in 0..<5 { _ = try spool.enqueue(NewTask(queue: "high", type: "t")) }
            let configuration = EngineConfiguration(
                workerConcurrency: 1,
                queueOrder: .strict,
                weights: ["high": 10, "low": 1]
            )
            try await whileRunning(SpoolEngine(spool: spool, configuration: configuration, handlers: handlers)) {
                #expect(await eventually { log.all.count == 10 })
            }
            #expect(log.all == Array(repeating: "high", count: 5) + Array(repeating: "low", count: 5))
        }
    }

    @Test func weightedOrderSharesSlotsByWeight() async throws {
        try await TemporarySpool.with { directory in
            let spool = try directory.open()
            let log = QueueLog()
            let handlers = log.handlers
            for _ in 0..<200 {
                _ = try spool.enqueue(NewTask(queue: "heavy", type: "t"))
                _ = try spool.enqueue(NewTask(queue: "light", type: "t"))
            }
            let configuration = EngineConfiguration(
                workerConcurrency: 1,
                queueOrder: .weighted,
                weights: ["heavy": 3, "light": 1]
            )
            try await whileRunning(SpoolEngine(spool: spool, configuration: configuration, handlers: handlers)) {
                #expect(await eventually { log.all.count >= 200 })
            }
            let heavy = Array(log.all.prefix(200)).filter { $0 == "heavy" }.count
            // Expected 150 of 200; the bounds are many standard deviations (about 6) wide.
            #expect((120...180).contains(heavy), "heavy queue took \(heavy) of the first 200 slots")
        }
    }

    @Test func gracefulShutdownLetsRunningTasksFinish() async throws {
        try await TemporarySpool.with { directory in
            let spool = try directory.open()
            let started = Mutex(false)
            var handlers = TaskHandlers()
            handlers.register("slow") { _ in
                started.withLock { $0 = true }
                try await Task.sleep(for: .milliseconds(400))
                return .string("finished")
            }
            let id = try spool.enqueue(NewTask(type: "slow"))
            let engine = SpoolEngine(
                spool: spool,
                configuration: EngineConfiguration(shutdownGrace: 10),
                handlers: handlers
            )
            try await whileRunningGracefully(engine) {
                #expect(await eventually { started.withLock { $0 } })
            }
            let location = try #require(spool.find(id: id))
            #expect(location.state == .done, "a task finishing within the grace completes")
            #expect(try spool.record(at: location).result == .string("finished"))
        }
    }

    @Test func gracefulShutdownHandsBackTasksPastTheGrace() async throws {
        try await TemporarySpool.with { directory in
            let spool = try directory.open()
            let started = Mutex(false)
            var handlers = TaskHandlers()
            handlers.register("long") { _ in
                started.withLock { $0 = true }
                try await Task.sleep(for: .seconds(60))
                return nil
            }
            let id = try spool.enqueue(NewTask(type: "long"))
            let engine = SpoolEngine(
                spool: spool,
                configuration: EngineConfiguration(shutdownGrace: 0.3),
                handlers: handlers
            )
            let begun = SystemClock().now
            try await whileRunningGracefully(engine) {
                #expect(await eventually { started.withLock { $0 } })
            }
            let seconds = Double(SystemClock().now.milliseconds - begun.milliseconds) / 1000
            #expect(seconds < 10, "shutdown took \(seconds) s")
            let location = try #require(spool.find(id: id))
            #expect(location.state == .active)
            #expect(try spool.record(at: location).attempts.isEmpty, "a handed-back task has no attempt counted")
        }
    }

    @Test func hooksRunAroundEveryAttempt() async throws {
        struct Resize: Codable, Sendable {
            var width: Int
        }
        struct Resized: Codable, Sendable {
            var pixels: Int
        }
        try await TemporarySpool.with { directory in
            let spool = try directory.open()
            let events = Mutex<[String]>([])
            var handlers = TaskHandlers()
            handlers.register("resize", as: Resize.self) { _, payload in Resized(pixels: payload.width * 2) }
            handlers.register("broken") { _ in throw HandlerFailure.permanent("no") }
            handlers.before { context in events.withLock { $0.append("before \(context.record.type)") } }
            handlers.after { context, result in
                events.withLock { $0.append("after \(context.record.type) \(result.map { "\($0)" } ?? "-")") }
            }
            handlers.onError { context, error in events.withLock { $0.append("error \(context.record.type) \(error)") }
            }
            let good = try spool.enqueue(NewTask(type: "resize", payload: .object([JSONMember("width", .integer(21))])))
            let undecodable = try spool.enqueue(NewTask(type: "resize", payload: .string("wide")))
            let broken = try spool.enqueue(NewTask(type: "broken"))
            try await whileRunning(SpoolEngine(spool: spool, handlers: handlers)) {
                #expect(
                    await eventually {
                        spool.find(id: good)?.state == .done && spool.find(id: undecodable)?.state == .dead
                            && spool.find(id: broken)?.state == .dead
                    }
                )
            }
            #expect(
                try spool.record(at: #require(spool.find(id: good))).result
                    == .object([JSONMember("pixels", .integer(42))])
            )
            let reason = try spool.record(at: #require(spool.find(id: undecodable))).stateReason ?? ""
            #expect(reason.contains("payload does not decode as Resize"))
            let log = events.withLock { $0 }
            #expect(log.filter { $0.hasPrefix("before") }.count == 3)
            #expect(log.contains("after resize {\"pixels\":42}"))
            #expect(log.contains("error broken no"))
        }
    }

    @Test func queueHandlerRunsTypesWithoutTheirOwn() async throws {
        try await TemporarySpool.with { directory in
            let spool = try directory.open()
            var handlers = TaskHandlers()
            handlers.register(queue: "hooks") { context in .string("queue handler ran \(context.record.type)") }
            handlers.register("special") { _ in .string("type handler") }
            let viaQueue = try spool.enqueue(NewTask(queue: "hooks", type: "anything"))
            let viaType = try spool.enqueue(NewTask(queue: "hooks", type: "special"))
            let none = try spool.enqueue(NewTask(queue: "other", type: "anything", maxAttempts: 1))
            try await whileRunning(SpoolEngine(spool: spool, handlers: handlers)) {
                #expect(await eventually { [viaQueue, viaType].allSatisfy { spool.find(id: $0)?.state == .done } })
                try await Task.sleep(for: .milliseconds(300))
            }
            #expect(
                try spool.record(at: #require(spool.find(id: viaQueue))).result == .string("queue handler ran anything")
            )
            #expect(try spool.record(at: #require(spool.find(id: viaType))).result == .string("type handler"))
            #expect(spool.find(id: none)?.state == .active, "a task no handler here can run waits")
            #expect(try spool.record(at: #require(spool.find(id: none))).attempts.isEmpty)
        }
    }

    /// Processes with different handlers share one spool: each task goes to a process that can run it,
    /// and none is spent by a process that cannot.
    @Test func aTaskGoesToTheProcessThatHasItsHandler() async throws {
        try await TemporarySpool.with { directory in
            let clock = SystemClock()
            var mail = TaskHandlers()
            mail.register("mail") { _ in .string("mailed") }
            var images = TaskHandlers()
            images.register("resize") { _ in .string("resized") }
            let mailer = try directory.open(worker: WorkerName(host: "a", pid: 1, startTicks: 1))
            let resizer = try directory.open(clock: clock, worker: WorkerName(host: "b", pid: 2, startTicks: 2))
            var ids: [String] = []
            for index in 0..<40 {
                ids.append(
                    try mailer.enqueue(NewTask(type: index.isMultiple(of: 2) ? "mail" : "resize", maxAttempts: 1))
                )
            }
            try await whileRunning(SpoolEngine(spool: mailer, handlers: mail)) {
                try await Task.sleep(for: .milliseconds(200))
                try await whileRunning(SpoolEngine(spool: resizer, handlers: images)) {
                    #expect(await eventually { ids.allSatisfy { mailer.find(id: $0)?.state == .done } })
                }
            }
            for id in ids {
                let record = try mailer.record(at: #require(mailer.find(id: id)))
                #expect(record.result == .string(record.type == "mail" ? "mailed" : "resized"))
            }
        }
    }

    @Test func rolesSplitTheJobs() async throws {
        try await TemporarySpool.with { directory in
            let spool = try directory.open()
            var handlers = TaskHandlers()
            handlers.register("t") { _ in nil }
            let waiting = try spool.enqueue(NewTask(type: "t"))
            try SpoolFiles.write("{\"type\":\"t\",\"id\":\"dropped\"}", to: "\(directory.path)/incoming/dropped.json")
            let scheduler = SpoolEngine(
                spool: spool,
                configuration: EngineConfiguration(roles: [.scheduling]),
                handlers: handlers
            )
            try await whileRunning(scheduler) {
                #expect(await eventually { spool.find(id: "dropped")?.state == .active })
                try await Task.sleep(for: .milliseconds(200))
                #expect(spool.find(id: waiting)?.state == .active, "a scheduler does not run tasks")
            }
            try SpoolFiles.write("{\"type\":\"t\",\"id\":\"late\"}", to: "\(directory.path)/incoming/late.json")
            let worker = SpoolEngine(
                spool: spool,
                configuration: EngineConfiguration(roles: [.working]),
                handlers: handlers
            )
            try await whileRunning(worker) {
                #expect(
                    await eventually {
                        spool.find(id: waiting)?.state == .done && spool.find(id: "dropped")?.state == .done
                    }
                )
                try await Task.sleep(for: .milliseconds(200))
                #expect(spool.find(id: "late") == nil, "a worker does not ingest drops")
            }
        }
    }
}
