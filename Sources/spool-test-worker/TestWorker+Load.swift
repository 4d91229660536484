import SpoolCore
import SpoolSystem

#if canImport(Glibc)
@preconcurrency import Glibc
#elseif canImport(Musl)
@preconcurrency import Musl
#endif

/// The flush calls `--skip-call` may skip: skipping them changes only what survives a power loss.
let skippableCalls: Set<String> = ["fsync", "fdatasync", "syncfs"]

/// The tasks of one batch enqueue of `produce --batch-every`.
let batchSize = 8

extension Arguments {
    /// The `--durability` option, `enqueue` (the library's default) when absent.
    func durability() throws(UsageError) -> Durability {
        guard let name = options["durability"] else { return .enqueue }
        guard let level = Durability(name: name) else { throw UsageError("unknown durability \"\(name)\"") }
        return level
    }

    /// A whole number option of at least `minimum`, or `fallback` when absent.
    func number(_ name: String, default fallback: Int, minimum: Int = 0) throws(UsageError) -> Int {
        guard let text = options[name] else { return fallback }
        guard let value = Int(text), value >= minimum else {
            throw UsageError("--\(name) wants a whole number >= \(minimum), got \"\(text)\"")
        }
        return value
    }

    /// The fault plan of `--skip-call CALL`: every call named CALL is skipped and reports success.
    func skipPlan() throws(UsageError) -> SyscallFaults? {
        guard let call = options["skip-call"] else { return nil }
        guard skippableCalls.contains(call) else {
            throw UsageError(
                "--skip-call: \"\(call)\" is not one of \(skippableCalls.sorted().joined(separator: ", "))"
            )
        }
        #if ENABLE_MOCKING
        return SyscallFaults().inject(.skip, into: call, times: Int.max)
        #else
        throw UsageError("--skip-call needs a debug build (fault injection is compiled out)")
        #endif
    }
}

/// A log file outside the spool that a load command appends one line to per acknowledged operation.
struct LineLog {
    private let descriptor: Int32
    private let path: String

    /// Opens `path` to append (O_APPEND, created if missing).
    init(_ path: String) throws {
        descriptor = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else { throw TestWorker.DrainError("open \(path): \(String(cString: strerror(errno)))") }
        self.path = path
    }

    /// Appends `line` and a newline with one `write(2)`, so that a line is in the log whole or not at all.
    func append(_ line: String) throws {
        let bytes = Array("\(line)\n".utf8)
        let written = bytes.withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) }
        guard written == bytes.count else {
            throw TestWorker.DrainError("write to \(path): \(String(cString: strerror(errno)))")
        }
    }
}

extension TestWorker {
    // MARK: - Load for the power-loss tests

    /// `produce <spool> <ack-log>`: enqueues until killed, logging each id once its enqueue returned; every
    /// `--batch-every`-th call is a batch enqueue of ``batchSize`` tasks, logged with one write.
    static func produce(_ arguments: Arguments) throws -> Int32 {
        guard arguments.positional.count == 2 else { throw UsageError("produce wants <spool> <ack-log>") }
        let durability = try arguments.durability()
        let delayEvery = try arguments.number("delay-every", default: 5)
        let idEvery = try arguments.number("id-every", default: 3)
        let burst = try arguments.number("burst", default: 0)
        let pause = try arguments.number("pause-ms", default: 0)
        let batchEvery = try arguments.number("batch-every", default: 0)
        let run = arguments.options["run"] ?? "p"
        guard !run.isEmpty, run.utf8.count <= 32, run.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber) }) else {
            throw UsageError("--run wants 1 to 32 letters or digits, got \"\(run)\"")
        }
        let faults = try arguments.skipPlan()
        let log = try LineLog(arguments.positional[1])
        try withFaults(faults) {
            let spool = try Spool(
                root: arguments.positional[0],
                configuration: SpoolConfiguration(durability: durability)
            )
            var index = 0
            var calls = 0
            while true {
                calls += 1
                if batchEvery > 0, calls % batchEvery == 0 {
                    let tasks = (index..<index + batchSize).map {
                        loadTask($0, run: run, delayEvery: delayEvery, idEvery: idEvery)
                    }
                    // One write for the whole batch: it was acknowledged as a whole.
                    try log.append(try spool.enqueue(contentsOf: tasks).joined(separator: "\n"))
                    index += batchSize
                } else {
                    let task = loadTask(index, run: run, delayEvery: delayEvery, idEvery: idEvery)
                    try log.append(try spool.enqueue(task))
                    index += 1
                }
                if burst > 0, pause > 0, calls % burst == 0 { usleep(UInt32(min(pause, 60_000)) * 1000) }
            }
        }
        return 0
    }

    /// Task `index` of `produce`: payload `{"run": run, "n": index}`; every `idEvery`-th has the id
    /// `<run>-<index>`, every `delayEvery`-th (offset so that the two mix) is due 1 to 90 seconds from now.
    static func loadTask(_ index: Int, run: String, delayEvery: Int, idEvery: Int) -> NewTask {
        let given = idEvery > 0 && index % idEvery == 0
        let delayed = delayEvery > 0 && index % delayEvery == 1 % delayEvery
        return NewTask(
            id: given ? "\(run)-\(index)" : nil,
            type: "test",
            payload: .object([JSONMember("run", .string(run)), JSONMember("n", .integer(index))]),
            delay: delayed ? Double(1 + index % 90) : nil
        )
    }

    /// `work <spool> <finish-log>`: claims due tasks until killed and finishes each; logs `<id> done` or
    /// `<id> dead` once the task's move to `done/` or `dead/` returned.
    static func work(_ arguments: Arguments) throws -> Int32 {
        guard arguments.positional.count == 2 else { throw UsageError("work wants <spool> <finish-log>") }
        let durability = try arguments.durability()
        let queue = arguments.options["queue"] ?? "default"
        let faults = try arguments.skipPlan()
        let log = try LineLog(arguments.positional[1])
        try withFaults(faults) {
            let spool = try Spool(
                root: arguments.positional[0],
                configuration: SpoolConfiguration(durability: durability)
            )
            var claimed = 0
            while true {
                let names = try spool.oldestActive(queue: queue, limit: 64).names
                if names.isEmpty { usleep(5_000) }
                for name in names {
                    guard let task = try spool.claim(name, queue: queue) else { continue }
                    claimed += 1
                    if let line = try finish(task, in: spool, choice: claimed % 10) { try log.append(line) }
                }
            }
        }
        return 0
    }

    /// Finishes a claimed task by `choice` (0 to 9): a retry in an hour, a permanent failure, a success
    /// with a result, or (most) a bare success. Returns the finish-log line, or `nil` for a retry.
    static func finish(_ task: ClaimedTask, in spool: Spool, choice: Int) throws -> String? {
        let id = task.record.id
        switch choice {
        case 0:
            switch try spool.fail(task, error: "load retry", retryAfter: 3600) {
            case .retry: return nil
            case .dead: return "\(id) dead"
            }
        case 1:
            try spool.fail(task, error: "load permanent failure", permanent: true)
            return "\(id) dead"
        case 2, 3:
            try spool.complete(task, result: .object([JSONMember("ok", .bool(true))]))
            return "\(id) done"
        default:
            try spool.complete(task)
            return "\(id) done"
        }
    }

    /// `recover <spool>`: what a daemon does at start after a power loss, once: a janitor pass (leases of
    /// gone workers, staging files, interrupted ingests, names brought back), then a sweep promoting every
    /// task due by now.
    /// Prints the janitor's report.
    static func recover(_ arguments: Arguments) throws -> Int32 {
        guard arguments.positional.count == 1 else { throw UsageError("recover wants <spool>") }
        let spool = try Spool(
            root: arguments.positional[0],
            configuration: SpoolConfiguration(durability: try arguments.durability()),
            access: .existing
        )
        // The power was cut just now: every name in the spool is from before the boot that follows.
        LocalProcess.assumeBoot(at: SystemClock().now.milliseconds)
        let report = spool.runJanitor(atStart: true)
        Sweeper(spool: spool).advance(now: spool.clock.now)
        // Old contents of rewrites are deleted on a thread of their own; wait for them before exiting.
        DeferredUnlink.waitUntilIdle()
        print("janitor \(report)")
        return 0
    }

    /// Runs `body` under `faults`, or plainly when `nil`.
    static func withFaults<R>(_ faults: SyscallFaults?, _ body: () throws -> R) throws -> R {
        guard let faults else { return try body() }
        return try SyscallFaults.withFaults(faults, body)
    }
}
