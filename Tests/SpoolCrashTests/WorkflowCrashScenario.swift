import SpoolCore
import SpoolSystem
import SpoolTestSupport

/// One workflow protocol run by `spool-test-worker` in a child process, killed at each of its system calls
/// in turn (``WorkflowCrashTests``): the finish of a chain step with its next step, the finish of a group's
/// last member with its callback, and the creation of a group.
enum WorkflowCrashScenario: String, CaseIterable, Sendable, CustomStringConvertible {
    /// A task with one `on_success` step is claimed and completed with a result: the step must follow.
    case chainOnSuccess = "chain-on-success"
    /// A task with one `on_failure` step is claimed and fails permanently: the step must follow its move
    /// to `dead/`.
    case chainOnFailure = "chain-on-failure"
    /// The third of a group's three members is claimed and completed (the other two completed before):
    /// the group's callback must follow.
    case groupComplete = "group-complete"
    /// A group of three members with a callback is enqueued: it must exist whole or not at all.
    case groupCreate = "group-create"

    var description: String { rawValue }

    static let queue = "default"
    /// The queue of the chain's next step.
    static let nextQueue = "next"
    /// The queue of the group's callback.
    static let callbackQueue = "callback"
    static let queues = [queue, nextQueue, callbackQueue]
    /// The chain's first task.
    static let parentID = "parent-1"
    static let groupID = "g1"
    /// The result a task completes with, in the child (`claim … complete-result`) and in the tests.
    static let result: JSONValue = .object([JSONMember("ok", .bool(true))])
    /// The results the group's first two members complete with before the child runs.
    static let earlierResults: [JSONValue] = [.integer(10), .integer(11)]

    /// The ids a scenario's checks look for, known once its spool is set up.
    struct Fixture: Sendable {
        /// The task whose finish the child makes: the chain's first task, or the group's third member.
        var finishing: String?
        /// What must follow that finish: the chain's next step, or the group's callback.
        var follower: String?
        /// The results of the group's members that completed before the child ran, by id.
        var earlier: [String: JSONValue] = [:]
    }

    /// Where the task the child finishes goes when its finish completes.
    var finishedState: TaskState { self == .chainOnFailure ? .dead : .done }

    /// Prepares a fresh spool at `root` for the operation.
    func setUp(_ root: String) throws -> Fixture {
        let spool = try Spool(root: root)
        switch self {
        case .chainOnSuccess, .chainOnFailure:
            let step = [NewTask(queue: WorkflowCrashScenario.nextQueue, type: "step", payload: .object([]))]
            try spool.enqueue(
                NewTask(
                    id: WorkflowCrashScenario.parentID,
                    queue: WorkflowCrashScenario.queue,
                    type: "test",
                    payload: .object([JSONMember("n", .integer(1))]),
                    maxAttempts: 5,
                    backoff: .table([60]),
                    onSuccess: self == .chainOnSuccess ? step : [],
                    onFailure: self == .chainOnFailure ? step : []
                )
            )
            // The next step's id was fixed when the chain was accepted: the parent's file holds it.
            guard let location = spool.find(id: WorkflowCrashScenario.parentID) else {
                throw SpawnedProcessError(description: "the chain's first task was not enqueued")
            }
            let parent = try spool.record(at: location)
            let steps = self == .chainOnSuccess ? parent.onSuccess : parent.onFailure
            return Fixture(finishing: parent.id, follower: WorkflowTemplate.ids(of: steps).first)
        case .groupComplete:
            let receipt = try spool.enqueue(group: WorkflowCrashScenario.group)
            var earlier: [String: JSONValue] = [:]
            for result in WorkflowCrashScenario.earlierResults {
                guard let member = try claimOldest(spool, queue: WorkflowCrashScenario.queue) else {
                    throw SpawnedProcessError(description: "a member of the group was not enqueued")
                }
                try spool.complete(member, result: result)
                earlier[member.record.id] = result
            }
            DeferredUnlink.waitUntilIdle()
            // The child starts without a folder of its own in running/: so must the in-process count, which
            // runs in this process.
            SpoolFiles.removeTree(
                "\(root)/\(SpoolLayout.runningFolder(queue: WorkflowCrashScenario.queue, worker: .current))"
            )
            return Fixture(
                finishing: receipt.members.first { earlier[$0] == nil },
                follower: receipt.callback.first,
                earlier: earlier
            )
        case .groupCreate:
            return Fixture()
        }
    }

    /// The arguments of `spool-test-worker` for the operation on the spool at `root`.
    func arguments(_ root: String) -> [String] {
        switch self {
        case .chainOnSuccess, .groupComplete: ["claim", root, WorkflowCrashScenario.queue, "complete-result"]
        case .chainOnFailure: ["claim", root, WorkflowCrashScenario.queue, "fail-permanent"]
        case .groupCreate: ["enqueue-group", root, WorkflowCrashScenario.groupID]
        }
    }

    /// Runs the operation in this process, exactly as `spool-test-worker` runs it in the child.
    func perform(_ spool: Spool) throws {
        switch self {
        case .groupCreate:
            try spool.enqueue(group: WorkflowCrashScenario.group)
        case .chainOnSuccess, .chainOnFailure, .groupComplete:
            guard let task = try claimOldest(spool, queue: WorkflowCrashScenario.queue) else {
                throw SpawnedProcessError(description: "nothing to claim")
            }
            if self == .chainOnFailure {
                try spool.fail(task, error: "test permanent failure", permanent: true)
            } else {
                try spool.complete(task, result: WorkflowCrashScenario.result)
            }
        }
    }

    /// How many times the operation calls each system call, counted in-process on a fresh spool.
    func countCalls() throws -> [(call: String, count: Int)] {
        try TemporarySpool.with("count") { directory in
            _ = try setUp(directory.path)
            // A fresh Spool, opened before the plan is installed, as the child opens its own.
            let spool = try Spool(root: directory.path)
            let faults = SyscallFaults()
            try SyscallFaults.withFaults(faults) { try perform(spool) }
            return crashableCalls.map { ($0, faults.count($0)) }.filter { $0.count > 0 }
        }
    }

    /// The group of the group scenarios, as `spool-test-worker enqueue-group` builds it
    /// (`TestWorker.crashGroup(id:)`): three members, the first with a given id, and a callback.
    static let group = NewGroup(
        id: groupID,
        members: (0..<3).map { index in
            NewTask(
                id: index == 0 ? "\(groupID)-m0" : nil,
                queue: queue,
                type: "test",
                payload: .object([JSONMember("n", .integer(index))])
            )
        },
        callback: [NewTask(queue: callbackQueue, type: "callback")]
    )
}
