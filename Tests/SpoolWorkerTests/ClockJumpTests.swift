import SpoolCore
import SpoolSystem
import SpoolTestSupport
import SpoolWorker
import Synchronization
import Testing

/// The wall clock jumps forward two days, then back an hour (an NTP step, a suspended machine waking): due
/// tasks burst, none runs twice, deadlines and retention apply once, and tasks due in the minutes the clock
/// goes back over still run.
@Suite(.timeLimit(.minutes(2))) struct ClockJumpTests {
    @Test func forwardTwoDaysThenBackAnHour() async throws {
        try await TemporarySpool.with { directory in
            let start = Timestamp(rfc3339: "2026-11-21T10:00:30Z")!
            let clock = ManualClock(start)
            let spool = try directory.open(clock: clock)
            let runs = Mutex<[String: Int]>([:])
            var handlers = TaskHandlers()
            handlers.register("t") { context in
                runs.withLock { $0[context.record.id, default: 0] += 1 }
                return nil
            }
            var delayed: [String] = []
            for hour in 1...47 {
                delayed.append(try spool.enqueue(NewTask(type: "t", delay: Double(hour) * 3600 - 7)))
            }
            let expiring = try spool.enqueue(
                NewTask(type: "t", runAt: start.adding(seconds: 7200), deadline: start.adding(seconds: 3600))
            )
            let finished = try spool.enqueue(NewTask(type: "t", retention: 3600))
            let engine = SpoolEngine(
                spool: spool,
                configuration: EngineConfiguration(janitorInterval: 60),
                handlers: handlers
            )
            try await whileRunning(engine) {
                #expect(await eventually { spool.find(id: finished)?.state == .done })
                clock.set(start.adding(seconds: 2 * 86_400))
                #expect(await eventually { delayed.allSatisfy { spool.find(id: $0)?.state == .done } })
                #expect(await eventually { spool.find(id: expiring)?.state == .dead })
                // The janitor's next pass purges the task whose retention ended, once.
                clock.advance(by: 61)
                #expect(await eventually { spool.find(id: finished) == nil })

                clock.set(start.adding(seconds: 2 * 86_400 - 3600))
                try await Task.sleep(for: .milliseconds(200))
                let late = try spool.enqueue(NewTask(type: "t", delay: 1800))
                clock.advance(by: 1801)
                #expect(await eventually { spool.find(id: late)?.state == .done }, "due in a minute gone back over")
                try await Task.sleep(for: .milliseconds(200))
            }
            let counts = runs.withLock { $0 }
            #expect(delayed.allSatisfy { counts[$0] == 1 }, "each due task ran once: \(counts.values.sorted())")
            #expect(counts[expiring] == nil, "a task past its deadline does not run")
            #expect(counts.values.allSatisfy { $0 == 1 })
            let dead = try spool.record(at: #require(spool.find(id: expiring)))
            #expect(dead.stateReason?.hasPrefix("deadline") == true)
        }
    }
}
