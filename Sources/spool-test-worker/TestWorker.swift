import SpoolCore
import SpoolCron
import SpoolSystem

#if canImport(Glibc)
@preconcurrency import Glibc
#elseif canImport(Musl)
@preconcurrency import Musl
#endif

/// The system call names the fault hooks of `SpoolSystem` know.
let crashableCalls: Set<String> = [
    "openat", "read", "write", "fsync", "fdatasync", "syncfs", "renameat2", "unlinkat", "mkdirat",
    "symlinkat", "readlinkat", "utimensat", "futimens", "fstatat", "fstat", "flock", "linkat",
]

/// A `--crash-at CALL:N` point: die just before the (N+1)-th call named `call`; or a `--stop-at CALL:N`
/// point (`stops`): stop with `SIGSTOP` just before it, and make the call once continued.
struct CrashPoint {
    var call: String
    var after: Int
    var stops = false

    init(parsing text: String, option: String = "crash-at") throws(UsageError) {
        guard let colon = text.lastIndex(of: ":") else { throw UsageError("--\(option) wants CALL:N, got \"\(text)\"") }
        let call = String(text[..<colon])
        guard crashableCalls.contains(call) else { throw UsageError("--\(option): unknown call \"\(call)\"") }
        guard let after = Int(text[text.index(after: colon)...]), after >= 0 else {
            throw UsageError("--\(option): N must be a whole number >= 0 in \"\(text)\"")
        }
        self.call = call
        self.after = after
        stops = option == "stop-at"
    }
}

struct UsageError: Error {
    var message: String
    init(_ message: String) { self.message = message }
}

/// Positional arguments and `--name value` options, in any order.
struct Arguments {
    var positional: [String] = []
    var options: [String: String] = [:]

    init(_ arguments: ArraySlice<String>, allowed: Set<String>) throws(UsageError) {
        var index = arguments.startIndex
        while index < arguments.endIndex {
            let argument = arguments[index]
            if argument.hasPrefix("--") {
                let name = String(argument.dropFirst(2))
                guard allowed.contains(name) else { throw UsageError("unknown option \(argument)") }
                guard index + 1 < arguments.endIndex else { throw UsageError("option \(argument) needs a value") }
                options[name] = arguments[index + 1]
                index += 2
            } else {
                positional.append(argument)
                index += 1
            }
        }
    }

    /// The `--crash-at` or `--stop-at` point, if one is given.
    func crashPoint() throws(UsageError) -> CrashPoint? {
        guard let option = ["crash-at", "stop-at"].first(where: { options[$0] != nil }), let text = options[option]
        else { return nil }
        #if ENABLE_MOCKING
        return try CrashPoint(parsing: text, option: option)
        #else
        throw UsageError("--\(option) needs a debug build (fault injection is compiled out)")
        #endif
    }
}

/// Where a claimed task should go.
enum Outcome: String {
    case complete
    case completeResult = "complete-result"
    case fail
    case failPermanent = "fail-permanent"
    case handBack = "hand-back"
}

enum TestWorker {
    static let usage = """
        usage: spool-test-worker enqueue <spool> <count> [--id-prefix P] [--delay SECONDS] [--queue Q] [--unique-key K]
                   [--crash-at CALL:N]
               spool-test-worker ingest <spool> <drop-name> [--crash-at CALL:N | --stop-at CALL:N]
               spool-test-worker enqueue-group <spool> <group-id> [--crash-at CALL:N]
               spool-test-worker claim <spool> <queue> <complete|complete-result|fail|fail-permanent|hand-back>
                   [--crash-at CALL:N | --stop-at CALL:N]
               spool-test-worker drain <spool> <queue> <log-file>
               spool-test-worker produce <spool> <ack-log> [--durability full|enqueue|none] [--run TAG] [--id-every N]
                   [--delay-every N] [--batch-every N] [--burst N --pause-ms MS] [--skip-call fsync|fdatasync|syncfs]
               spool-test-worker work <spool> <finish-log> [--durability full|enqueue|none] [--queue Q]
                   [--skip-call fsync|fdatasync|syncfs]
               spool-test-worker recover <spool> [--durability full|enqueue|none]
               spool-test-worker cron <spool> <spec> <start-ms> <ticks> [--at MS]
        """

    static func main(_ arguments: [String]) -> Int32 {
        // Line-buffered output, so that what was printed before a crash is in the log.
        setvbuf(stdout, nil, _IOLBF, 0)
        guard let command = arguments.first else {
            printError(usage)
            return 2
        }
        let rest = arguments.dropFirst()
        do {
            switch command {
            case "enqueue":
                return try enqueue(Arguments(rest, allowed: ["id-prefix", "delay", "queue", "unique-key", "crash-at"]))
            case "ingest": return try ingest(Arguments(rest, allowed: ["crash-at", "stop-at"]))
            case "enqueue-group": return try enqueueGroup(Arguments(rest, allowed: ["crash-at"]))
            case "claim": return try claim(Arguments(rest, allowed: ["crash-at", "stop-at"]))
            case "drain": return try drain(Arguments(rest, allowed: []))
            case "produce":
                return try produce(
                    Arguments(
                        rest,
                        allowed: [
                            "durability", "run", "id-every", "delay-every", "batch-every", "burst", "pause-ms",
                            "skip-call",
                        ]
                    )
                )
            case "work": return try work(Arguments(rest, allowed: ["durability", "queue", "skip-call"]))
            case "recover": return try recover(Arguments(rest, allowed: ["durability"]))
            case "cron": return try cron(Arguments(rest, allowed: ["at"]))
            default: throw UsageError("unknown command \"\(command)\"")
            }
        } catch let error as UsageError {
            printError("spool-test-worker: \(error.message)\n\(usage)")
            return 2
        } catch {
            printError("spool-test-worker \(command): \(error)")
            return 1
        }
    }

    // MARK: - Commands

    static func enqueue(_ arguments: Arguments) throws -> Int32 {
        guard arguments.positional.count == 2, let count = Int(arguments.positional[1]), count >= 0 else {
            throw UsageError("enqueue wants <spool> <count>")
        }
        var delay: Double?
        if let text = arguments.options["delay"] {
            guard let value = Double(text) else { throw UsageError("--delay wants seconds, got \"\(text)\"") }
            delay = value
        }
        let crash = try arguments.crashPoint()
        let spool = try Spool(root: arguments.positional[0])
        let prefix = arguments.options["id-prefix"]
        let queue = arguments.options["queue"] ?? "default"
        let key = arguments.options["unique-key"]
        let ids = try withCrashPlan(crash) {
            var ids: [String] = []
            for index in 0..<count {
                ids.append(
                    try spool.enqueue(task(index, idPrefix: prefix, queue: queue, delay: delay, uniqueKey: key))
                )
            }
            return ids
        }
        for id in ids { print(id) }
        return 0
    }

    /// The task `enqueue` writes for index `index`; the crash tests build the same one in-process.
    static func task(_ index: Int, idPrefix: String?, queue: String, delay: Double?, uniqueKey: String? = nil)
        -> NewTask
    {
        NewTask(
            id: idPrefix.map { "\($0)-\(index)" },
            queue: queue,
            type: "test",
            payload: .object([JSONMember("n", .integer(index))]),
            delay: delay,
            uniqueKey: uniqueKey.map { "\($0)-\(index)" }
        )
    }

    static func ingest(_ arguments: Arguments) throws -> Int32 {
        guard arguments.positional.count == 2 else { throw UsageError("ingest wants <spool> <drop-name>") }
        let crash = try arguments.crashPoint()
        let spool = try Spool(root: arguments.positional[0])
        let outcome = try withCrashPlan(crash) { try spool.ingest(arguments.positional[1]) }
        switch outcome {
        case .accepted(let id, let queue): print("accepted \(id) \(queue)")
        case .rejected(let name, let reason): print("rejected \(name): \(reason)")
        case .skipped: print("skipped")
        }
        return 0
    }

    static func claim(_ arguments: Arguments) throws -> Int32 {
        guard arguments.positional.count == 3 else { throw UsageError("claim wants <spool> <queue> <then>") }
        guard let outcome = Outcome(rawValue: arguments.positional[2]) else {
            throw UsageError("unknown outcome \"\(arguments.positional[2])\"")
        }
        let crash = try arguments.crashPoint()
        let spool = try Spool(root: arguments.positional[0])
        let queue = arguments.positional[1]
        let report = try withCrashPlan(crash) { () throws -> String? in
            guard let task = try claimOldest(spool, queue: queue) else { return nil }
            return try apply(outcome, to: task, in: spool)
        }
        guard let report else {
            print("nothing to claim in active/\(queue)")
            return 3
        }
        print(report)
        return 0
    }

    /// Claims the oldest task of `queue` that this process can get; `nil` if none is left.
    /// The crash tests run the same sequence in-process to count its system calls.
    static func claimOldest(_ spool: Spool, queue: String) throws -> ClaimedTask? {
        while true {
            let names = try spool.oldestActive(queue: queue, limit: 64).names
            if names.isEmpty { return nil }
            for name in names {
                if let task = try spool.claim(name, queue: queue) { return task }
            }
        }
    }

    /// Applies `outcome` to a claimed task; returns a line describing what happened.
    static func apply(_ outcome: Outcome, to task: ClaimedTask, in spool: Spool) throws -> String {
        let id = task.record.id
        switch outcome {
        case .complete:
            try spool.complete(task)
            return "completed \(id)"
        case .completeResult:
            try spool.complete(task, result: .object([JSONMember("ok", .bool(true))]))
            return "completed \(id) with result"
        case .fail:
            return "failed \(id): \(try spool.fail(task, error: "test failure"))"
        case .failPermanent:
            return "failed \(id): \(try spool.fail(task, error: "test permanent failure", permanent: true))"
        case .handBack:
            try spool.handBack(task)
            return "handed back \(id)"
        }
    }

    static func drain(_ arguments: Arguments) throws -> Int32 {
        guard arguments.positional.count == 3 else { throw UsageError("drain wants <spool> <queue> <log-file>") }
        let spool = try Spool(root: arguments.positional[0], configuration: SpoolConfiguration(durability: .none))
        let queue = arguments.positional[1]
        let log = open(arguments.positional[2], O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0o644)
        guard log >= 0 else { throw DrainError("open \(arguments.positional[2]): \(String(cString: strerror(errno)))") }
        defer { close(log) }
        let pid = getpid()
        var drained = 0
        // One listing per batch of the oldest names, each tried in due order: every drainer races for the
        // same files, and a lost race costs one failed utimensat. Listing again per claim would read the
        // whole folder for each task.
        while true {
            let names = try spool.oldestActive(queue: queue, limit: 64).names
            if names.isEmpty { break }
            for name in names {
                guard let task = try spool.claim(name, queue: queue) else { continue }
                let line = Array("\(task.record.id) \(task.attempt) \(pid)\n".utf8)
                let written = line.withUnsafeBytes { write(log, $0.baseAddress, $0.count) }
                guard written == line.count else {
                    throw DrainError("write to log: \(String(cString: strerror(errno)))")
                }
                try spool.complete(task)
                drained += 1
            }
        }
        print("drained \(drained)")
        return 0
    }

    static func cron(_ arguments: Arguments) throws -> Int32 {
        guard arguments.positional.count == 4, let start = Int64(arguments.positional[2]),
            let ticks = Int(arguments.positional[3]), ticks >= 0
        else { throw UsageError("cron wants <spool> <spec> <start-ms> <ticks>") }
        let spool = try Spool(root: arguments.positional[0], configuration: SpoolConfiguration(durability: .none))
        let entry = try CronEntry(
            name: "race",
            spec: arguments.positional[1],
            task: [JSONMember("type", .string("test"))]
        )
        var scheduler = CronScheduler()
        let problems = scheduler.update(entries: [entry], paused: [], now: Timestamp(milliseconds: start)) { _ in nil }
        guard problems.isEmpty else { throw UsageError(problems.joined(separator: "; ")) }
        if let text = arguments.options["at"], let at = Int64(text) {
            while SystemClock().now.milliseconds < at { usleep(200) }
        }
        var seen = 0
        while seen < ticks, let now = scheduler.nextTick {
            for due in scheduler.due(now: now) {
                for tick in due.ticks {
                    seen += 1
                    if case .fired(let id) = try spool.fireCron(due.entry, at: tick) { print("fired \(id)") }
                }
            }
        }
        return 0
    }

    // MARK: - Helpers

    struct DrainError: Error, CustomStringConvertible {
        var description: String
        init(_ description: String) { self.description = description }
    }

    /// Runs `body` under a fault plan that crashes (or stops) at `crash`, or plainly when `crash` is `nil`.
    static func withCrashPlan<R>(_ crash: CrashPoint?, _ body: () throws -> R) throws -> R {
        guard let crash else { return try body() }
        let faults = SyscallFaults().inject(crash.stops ? .stop : .crash, into: crash.call, after: crash.after)
        return try SyscallFaults.withFaults(faults, body)
    }

    static func printError(_ text: String) {
        fputs(text + "\n", stderr)
    }
}
