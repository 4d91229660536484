import SpoolCore
import SpoolTestSupport
import SpoolWatch
import SpoolWorker
import Testing

/// Waiting for a chain or a group (SpoolWatch's `waitUntilFinished(chain:)` and `waitUntilFinished(group:)`),
/// whose later tasks do not exist yet when the wait begins, with a real engine running the tasks.
@Suite(.timeLimit(.minutes(1))) struct WorkflowWaitTests {
    /// `add` sums its integer arguments, `sum` the list of results it is given, `fail` fails for good.
    private var handlers: TaskHandlers {
        var handlers = TaskHandlers()
        handlers.register("add", as: [Int].self) { _, arguments in arguments.reduce(0, +) }
        handlers.register("sum", as: [Int].self) { _, results in results.reduce(0, +) }
        handlers.register("fail") { _ in throw HandlerFailure.permanent("no") }
        return handlers
    }

    private func integers(_ values: Int...) -> JSONValue { .array(values.map { .integer($0) }) }

    private func result(of id: String, in spool: Spool) throws -> JSONValue? {
        try spool.record(at: #require(spool.find(id: id))).result
    }

    @Test func aChainIsWaitedForUntilItsLastStepSucceeded() async throws {
        try await TemporarySpool.with { directory in
            let spool = try directory.open()
            let ids = try spool.enqueue(chain: [
                NewTask(type: "add", payload: integers(1, 1)), NewTask(type: "add", payload: integers(3)),
                NewTask(type: "add", payload: integers(4)),
            ])
            #expect(spool.find(id: ids[2]) == nil, "the last step is not enqueued when the wait begins")
            let engine = SpoolEngine(spool: spool, configuration: EngineConfiguration(), handlers: handlers)
            try await whileRunningGracefully(engine) {
                let steps = try await spool.waitUntilFinished(chain: ids[0], timeout: 20)
                #expect(steps.map(\.id) == ids)
                #expect(steps.map(\.state) == [.done, .done, .done])
                #expect(try result(of: ids[2], in: spool) == .integer(9))
            }
        }
    }

    @Test func aChainWaitEndsAtAStepThatFailed() async throws {
        try await TemporarySpool.with { directory in
            let spool = try directory.open()
            let ids = try spool.enqueue(chain: [NewTask(type: "fail"), NewTask(type: "add")])
            let engine = SpoolEngine(spool: spool, configuration: EngineConfiguration(), handlers: handlers)
            try await whileRunningGracefully(engine) {
                let started = SystemClock().now
                let steps = try await spool.waitUntilFinished(chain: ids[0], timeout: 30)
                #expect(steps.map(\.state) == [.dead, nil])
                #expect(SystemClock().now < started.adding(seconds: 10), "not at the timeout")
            }
        }
    }

    @Test func aChainWaitEndsAtItsTimeout() async throws {
        try await TemporarySpool.with { directory in
            let spool = try directory.open()
            let ids = try spool.enqueue(chain: [NewTask(type: "add"), NewTask(type: "add")])
            let started = SystemClock().now
            let steps = try await spool.waitUntilFinished(chain: ids[0], timeout: 0.3)
            #expect(steps.map(\.state) == [.active, nil])
            #expect(SystemClock().now >= started.adding(seconds: 0.3))
            await #expect(throws: SpoolError.self) { try await spool.waitUntilFinished(chain: "nothing", timeout: 1) }
        }
    }

    /// A step that appears some time after the step before it finished, as when the process that finished
    /// that step died before placing it and the janitor places it, is waited for.
    @Test func aStepEnqueuedLateIsWaitedFor() async throws {
        try await TemporarySpool.with { directory in
            let spool = try directory.open()
            let ids = try spool.enqueue(chain: [NewTask(type: "a"), NewTask(type: "b")])
            try spool.complete(try #require(try spool.claimNext()))
            let placed = try #require(spool.find(id: ids[1]))
            try SpoolFiles.rename("\(directory.path)/\(placed.path)", to: "\(directory.path)/aside.json")
            async let waited = spool.waitUntilFinished(chain: ids[0], timeout: 20)
            try await Task.sleep(for: .milliseconds(300))
            try SpoolFiles.rename("\(directory.path)/aside.json", to: "\(directory.path)/\(placed.path)")
            try spool.complete(try #require(try spool.claimNext()), result: .integer(7))
            #expect(try await waited.map(\.state) == [.done, .done])
        }
    }

    /// The same for a group's callback: the wait ends once the callback finished, not before it appears.
    @Test func aCallbackEnqueuedLateIsWaitedFor() async throws {
        try await TemporarySpool.with { directory in
            let spool = try directory.open()
            let receipt = try spool.enqueue(
                group: NewGroup(members: [NewTask(type: "a")], callback: [NewTask(type: "c")])
            )
            try spool.complete(try #require(try spool.claimNext()), result: .integer(1))
            let placed = try #require(spool.find(id: receipt.callback[0]))
            try SpoolFiles.rename("\(directory.path)/\(placed.path)", to: "\(directory.path)/aside.json")
            let waiting = Task {
                let status = try await spool.waitUntilFinished(group: receipt.id, timeout: 20)
                return (status, SystemClock().now)
            }
            try await Task.sleep(for: .milliseconds(300))
            try SpoolFiles.rename("\(directory.path)/aside.json", to: "\(directory.path)/\(placed.path)")
            let callback = try #require(try spool.claimNext())
            let finished = SystemClock().now
            try spool.complete(callback, result: .integer(2))
            let (status, returned) = try await waiting.value
            #expect(status.callback == .enqueued)
            #expect(returned >= finished, "the wait returned once the callback finished")
            #expect(try result(of: receipt.callback[0], in: spool) == .integer(2))
        }
    }

    @Test func aGroupIsWaitedForUntilItsCallbackSucceeded() async throws {
        try await TemporarySpool.with { directory in
            let spool = try directory.open()
            let receipt = try spool.enqueue(
                group: NewGroup(
                    // The last member is a chain, add(10) then add(10, 10): its result is its chain's, 20.
                    members: (1...9).map { NewTask(type: "add", payload: integers($0, $0)) } + [
                        NewTask(
                            type: "add",
                            payload: integers(10),
                            onSuccess: [NewTask(type: "add", payload: integers(10))]
                        )
                    ],
                    callback: [NewTask(type: "sum"), NewTask(type: "add", payload: integers(1))]
                )
            )
            let engine = SpoolEngine(spool: spool, configuration: EngineConfiguration(), handlers: handlers)
            try await whileRunningGracefully(engine) {
                let status = try await spool.waitUntilFinished(group: receipt.id, timeout: 20)
                #expect(status.succeeded == 10)
                #expect(status.callback == .enqueued)
                #expect(try spool.chain(id: receipt.callback[0]).map(\.state) == [.done, .done])
                #expect(try result(of: receipt.callback[0], in: spool) == .integer(110))
                #expect(try result(of: receipt.callback[1], in: spool) == .integer(111))
            }
        }
    }

    @Test func aGroupWaitEndsWhenItsCallbackIsHeld() async throws {
        try await TemporarySpool.with { directory in
            let spool = try directory.open()
            let receipt = try spool.enqueue(
                group: NewGroup(
                    members: [NewTask(type: "add", payload: integers(1)), NewTask(type: "fail")],
                    callback: [NewTask(type: "sum")]
                )
            )
            let engine = SpoolEngine(spool: spool, configuration: EngineConfiguration(), handlers: handlers)
            try await whileRunningGracefully(engine) {
                let started = SystemClock().now
                let status = try await spool.waitUntilFinished(group: receipt.id, timeout: 30)
                #expect(status.callback == .held)
                #expect(status.succeeded == 1 && status.failed == 1)
                #expect(SystemClock().now < started.adding(seconds: 10), "not at the timeout")
            }
        }
    }

    @Test func aGroupWaitEndsAtItsTimeout() async throws {
        try await TemporarySpool.with { directory in
            let spool = try directory.open()
            let receipt = try spool.enqueue(group: NewGroup(members: [NewTask(type: "add"), NewTask(type: "add")]))
            let status = try await spool.waitUntilFinished(group: receipt.id, timeout: 0.3)
            #expect(status.pending == 2)
            await #expect(throws: SpoolError.self) { try await spool.waitUntilFinished(group: "nothing", timeout: 1) }
        }
    }
}
