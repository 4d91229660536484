import SpoolCore
import SpoolSystem
import SpoolTestSupport

/// The system call names the fault hooks know, in the order crash points are tried.
let crashableCalls = [
    "openat", "read", "write", "fsync", "fdatasync", "syncfs", "renameat2", "unlinkat", "mkdirat",
    "symlinkat", "readlinkat", "utimensat", "futimens", "fstatat", "fstat", "flock", "linkat",
]

/// One operation run by `spool-test-worker` in a child process, killed at each of its system calls in turn.
///
/// Each scenario knows how to set up a fresh spool, the child's arguments, the same operation in-process
/// (to count its system calls under an empty `SyscallFaults`), and what a recovered spool may look like.
enum CrashScenario: String, CaseIterable, Sendable, CustomStringConvertible {
    case enqueueWithID = "enqueue-with-id"
    case enqueueDelayed = "enqueue-delayed"
    case ingestWithoutID = "ingest-without-id"
    case ingestWithID = "ingest-with-id"
    case ingestInvalid = "ingest-invalid"
    case claimComplete = "claim-complete"
    case claimCompleteResult = "claim-complete-result"
    case claimFail = "claim-fail"
    case claimFailPermanent = "claim-fail-permanent"
    case claimHandBack = "claim-hand-back"

    var description: String { rawValue }

    static let queue = "default"
    static let dropName = "drop.json"
    /// The task the claim scenarios set up.
    static let claimedID = "task-1"
    /// Backoff of the set-up task: a retry goes to the next due-minute folder, never straight to active/.
    static let claimedBackoff = Backoff.table([60])
    /// The unique key every scenario's task holds while it waits or runs.
    static let uniqueKey = "key-0"

    enum Kind { case enqueue, ingest, claim }

    var kind: Kind {
        switch self {
        case .enqueueWithID, .enqueueDelayed: .enqueue
        case .ingestWithoutID, .ingestWithID, .ingestInvalid: .ingest
        default: .claim
        }
    }

    /// The outcome argument of `claim`.
    var outcome: String? {
        switch self {
        case .claimComplete: "complete"
        case .claimCompleteResult: "complete-result"
        case .claimFail: "fail"
        case .claimFailPermanent: "fail-permanent"
        case .claimHandBack: "hand-back"
        default: nil
        }
    }

    /// The id the task has, when the test can know it in advance.
    var taskID: String? {
        switch self {
        case .enqueueWithID: "task-0"
        case .ingestWithID: "drop-1"
        case .enqueueDelayed, .ingestWithoutID, .ingestInvalid: nil
        default: CrashScenario.claimedID
        }
    }

    /// The drop's bytes, for the ingest scenarios.
    var dropBytes: [UInt8]? {
        switch self {
        case .ingestWithoutID: Array(#"{"type":"test","payload":{"n":7},"unique_key":"key-0"}"#.utf8)
        case .ingestWithID: Array(#"{"id":"drop-1","type":"test","payload":{"n":7},"unique_key":"key-0"}"#.utf8)
        // A half-written drop: not valid JSON.
        case .ingestInvalid: Array(#"{"type":"test","payload":{"n":"#.utf8)
        default: nil
        }
    }

    /// The payload the task carries.
    var payload: JSONValue {
        switch kind {
        case .enqueue: .object([JSONMember("n", .integer(0))])
        case .ingest: .object([JSONMember("n", .integer(7))])
        case .claim: .object([JSONMember("n", .integer(1))])
        }
    }

    /// Failed attempts the operation itself records when it completes.
    var intendedAttempts: Int {
        switch self {
        case .claimFail, .claimFailPermanent: 1
        default: 0
        }
    }

    /// Where the task is after the operation completed without a crash (and after the test's sweep, which
    /// promotes everything scheduled); `nil` for no task (the rejected drop).
    var finalState: TaskState? {
        switch self {
        case .enqueueWithID, .enqueueDelayed, .ingestWithoutID, .ingestWithID, .claimFail, .claimHandBack: .active
        case .ingestInvalid: nil
        case .claimComplete, .claimCompleteResult: .done
        case .claimFailPermanent: .dead
        }
    }

    /// Prepares a fresh spool at `root` for the operation.
    func setUp(_ root: String) throws {
        let spool = try Spool(root: root)
        switch kind {
        case .enqueue:
            break
        case .ingest:
            try SpoolFiles.write(dropBytes!, to: "\(root)/\(SpoolLayout.incoming)/\(CrashScenario.dropName)")
        case .claim:
            try spool.enqueue(
                NewTask(
                    id: CrashScenario.claimedID,
                    queue: CrashScenario.queue,
                    type: "test",
                    payload: payload,
                    maxAttempts: 5,
                    backoff: CrashScenario.claimedBackoff,
                    uniqueKey: CrashScenario.uniqueKey
                )
            )
        }
    }

    /// The arguments of `spool-test-worker` for the operation on the spool at `root`.
    func arguments(_ root: String) -> [String] {
        switch self {
        case .enqueueWithID: ["enqueue", root, "1", "--id-prefix", "task", "--unique-key", "key"]
        case .enqueueDelayed: ["enqueue", root, "1", "--delay", "3600", "--unique-key", "key"]
        case .ingestWithoutID, .ingestWithID, .ingestInvalid: ["ingest", root, CrashScenario.dropName]
        default: ["claim", root, CrashScenario.queue, outcome!]
        }
    }

    /// The NewTask `spool-test-worker enqueue` builds (see `TestWorker.task`).
    var newTask: NewTask {
        NewTask(
            id: self == .enqueueWithID ? "task-0" : nil,
            queue: CrashScenario.queue,
            type: "test",
            payload: payload,
            delay: self == .enqueueDelayed ? 3600 : nil,
            uniqueKey: CrashScenario.uniqueKey
        )
    }

    /// Runs the operation in this process, exactly as `spool-test-worker` runs it in the child
    /// (for `claim`: the whole claim-then-outcome sequence).
    func perform(_ spool: Spool) throws {
        switch kind {
        case .enqueue:
            try spool.enqueue(newTask)
        case .ingest:
            _ = try spool.ingest(CrashScenario.dropName)
        case .claim:
            guard let task = try claimOldest(spool, queue: CrashScenario.queue) else {
                throw SpawnedProcessError(description: "nothing to claim")
            }
            switch self {
            case .claimComplete: try spool.complete(task)
            case .claimCompleteResult: try spool.complete(task, result: .object([JSONMember("ok", .bool(true))]))
            case .claimFail: try spool.fail(task, error: "test failure")
            case .claimFailPermanent: try spool.fail(task, error: "test permanent failure", permanent: true)
            case .claimHandBack: try spool.handBack(task)
            default: break
            }
        }
    }

    /// How many times the operation calls each system call, counted in-process on a fresh spool.
    func countCalls() throws -> [(call: String, count: Int)] {
        try TemporarySpool.with("count") { directory in
            try setUp(directory.path)
            // A fresh Spool, opened before the plan is installed, as the child opens its own.
            let spool = try Spool(root: directory.path)
            let faults = SyscallFaults()
            try SyscallFaults.withFaults(faults) { try perform(spool) }
            return crashableCalls.map { ($0, faults.count($0)) }.filter { $0.count > 0 }
        }
    }
}

/// Claims the oldest task of `queue` this process can get (the same loop as `spool-test-worker`).
func claimOldest(_ spool: Spool, queue: String) throws -> ClaimedTask? {
    while true {
        let names = try spool.oldestActive(queue: queue, limit: 64).names
        if names.isEmpty { return nil }
        for name in names {
            if let task = try spool.claim(name, queue: queue) { return task }
        }
    }
}
