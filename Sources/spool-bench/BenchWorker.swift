import SpoolCore
import SpoolWorker
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// The worker side of the drain and punctuality workloads, run as a child process (`spool-bench --serve`):
/// an engine with a no-op handler for type `noop` on queue `default`.
///
/// It writes `ready` once set up, starts when a line arrives on its standard input, writes a progress line
/// every second, and stops when it has run `expected` tasks; with `expected` 0, when `active/default/`
/// and its own running folder are empty and no task started in the last poll; with `expected` -1, when a
/// second line arrives on its standard input. Its last line gives the count,
/// the end time and, per task, the lateness: handler start minus due time.
struct BenchWorker {
    let root: String
    let expected: Int
    let concurrency: Int
    let roles: EngineConfiguration.Roles

    private final class Tally: Sendable {
        private let state = Mutex<(count: Int, lateness: [Int64])>((0, []))
        private let recordsLateness: Bool

        init(recordsLateness: Bool) { self.recordsLateness = recordsLateness }

        func record(due: Timestamp?) {
            let lateness = recordsLateness ? due.map { BenchClock.microseconds() - $0.milliseconds * 1000 } : nil
            state.withLock {
                $0.count += 1
                if let lateness { $0.lateness.append(lateness) }
            }
        }

        var count: Int { state.withLock { $0.count } }
        var lateness: [Int64] { state.withLock { $0.lateness } }
    }

    func run() async throws {
        let spool = try Spool(root: root)
        let tally = Tally(recordsLateness: expected > 0)
        var handlers = TaskHandlers()
        handlers.register("noop") { context in
            tally.record(due: context.record.runAt)
            return nil
        }
        let engine = SpoolEngine(
            spool: spool,
            configuration: EngineConfiguration(
                roles: roles,
                workerConcurrency: concurrency,
                defaultConcurrency: concurrency
            ),
            handlers: handlers
        )
        emit(["ready": .bool(true)])
        var byte: UInt8 = 0
        while read(0, &byte, 1) == 1, byte != UInt8(ascii: "\n") {}
        let start = BenchClock.microseconds()
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await engine.run() }
            var lastCount = -1
            var lastProgress = start
            // Counting to `expected` or to idle needs a fine look; waiting for the stop line does not, and
            // a look every 2 ms would be most of the CPU a measurement of a scheduler alone sees.
            let look: Duration = expected < 0 ? .milliseconds(50) : .milliseconds(2)
            while true {
                try await Task.sleep(for: look)
                let count = tally.count
                let now = BenchClock.microseconds()
                if now - lastProgress >= 1_000_000 {
                    emit(["handled": .integer(count), "t_us": .integer(Int(now))])
                    lastProgress = now
                }
                if expected > 0 {
                    if count >= expected { break }
                } else if expected < 0 {
                    var input = pollfd(fd: 0, events: Int16(POLLIN), revents: 0)
                    if poll(&input, 1, 0) > 0 { break }
                } else if count == lastCount, now - start > 50_000, isIdle(spool) {
                    break
                }
                lastCount = count
            }
            group.cancelAll()
        }
        emit([
            "final": .bool(true), "handled": .integer(tally.count), "end_us": .integer(Int(BenchClock.microseconds())),
            "lateness_us": .array(tally.lateness.map { .integer(Int($0)) }),
        ])
    }

    /// Whether no task waits in `active/default/` and none is running in this process.
    private func isIdle(_ spool: Spool) -> Bool {
        guard let (waiting, _) = try? spool.oldestActive(queue: "default", limit: 1), waiting.isEmpty else {
            return false
        }
        return spool.entryNames(in: SpoolLayout.runningFolder(queue: "default", worker: spool.worker)).isEmpty
    }

    private func emit(_ members: KeyValuePairs<String, JSONValue>) {
        let line = JSONWriter.encode(.object(members.map { JSONMember($0.key, $0.value) })) + [UInt8(ascii: "\n")]
        line.withUnsafeBytes { _ = write(1, $0.baseAddress, $0.count) }
    }
}
