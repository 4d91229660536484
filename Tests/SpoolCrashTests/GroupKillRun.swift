import SpoolCore
import SpoolSystem
import SpoolTestSupport

#if canImport(Glibc)
@preconcurrency import Glibc
#elseif canImport(Musl)
@preconcurrency import Musl
#endif

/// One run of the group kill tests: on a fresh spool of the kill tests (``KillSpool``: exec handler, run
/// log, `lease: 1s`, retries after 200 ms), four `spoold --mode worker` processes and one `--mode scheduler`
/// (which promotes retries) work through a group of ``memberCount`` members whose callback runs once every
/// member has succeeded; its last ``finalBurst`` members end together. With `killing`, a random worker is killed with `SIGKILL` every 100 to 700 ms and
/// started again 0 to 150 ms later, until the callback is in `done/`. Then the queue drains, the daemons
/// stop, and the kill tests' invariants are checked (each member and the callback is one task, every run
/// counted), with the group's own (``checkGroup()``).
struct GroupKillRun {
    /// The daemons' modes: the scheduler first, then the four workers, the only ones killed.
    static let modes = ["scheduler", "worker", "worker", "worker", "worker"]
    static let memberCount = 1_000
    /// The last members, which all end at the next even second of the wall clock: as many as the workers
    /// run at once (four times the six of the members' queue).
    static let finalBurst = 24
    /// The most seconds between the last member's finish and the callback's enqueue.
    static let callbackDelay = 10.0
    /// The queue of the members; the callback goes to the other queue of ``KillSpool``.
    static let memberQueue = "kq"
    static let callbackQueue = "kr"

    let spool: KillSpool
    let receipt: GroupReceipt
    private(set) var daemons: KillDaemons
    private(set) var log = OperationLog()
    /// Workers killed during the run.
    private(set) var kills = 0
    private var random: SplitMix64
    private let library: Spool
    private let started = SystemClock().now

    /// Sets up the run's spool, starts its daemons, and enqueues the group while they run.
    init(_ label: String, seed: UInt64) throws {
        spool = try KillSpool(label)
        random = SplitMix64(seed: seed)
        library = try Spool(root: spool.root)
        daemons = try KillDaemons(spool, modes: GroupKillRun.modes)
        var members: [NewTask] = []
        for index in 0..<GroupKillRun.memberCount {
            // The last members end together, so that several workers record the group's last results at
            // once and race to take its callback.
            let last = index >= GroupKillRun.memberCount - GroupKillRun.finalBurst
            members.append(
                NewTask(
                    queue: GroupKillRun.memberQueue,
                    type: last
                        ? KillSpool.taskType(sleepUntilMultipleOf: 2, "result") : GroupKillRun.memberType(&random),
                    payload: OperationLog.payload(tag: "member-\(index)"),
                    // Each kill of its worker costs a member an attempt: it must never run out of them.
                    maxAttempts: 100
                )
            )
        }
        let callback = NewTask(
            queue: GroupKillRun.callbackQueue,
            type: KillSpool.taskType(sleep: 0.05, "ok"),
            payload: OperationLog.payload(tag: "callback")
        )
        receipt = try library.enqueue(group: NewGroup(members: members, callback: [callback]))
        for (index, id) in receipt.members.enumerated() {
            log.acknowledge(tag: "member-\(index)", id: id, by: .library)
        }
        log.acknowledge(tag: "callback", id: receipt.callback.first, by: .library)
    }

    /// A member's task type: most print a result at once, some first sleep up to 0.2 s (so that kills meet
    /// running handlers), some fail their first attempt and are retried.
    private static func memberType(_ random: inout SplitMix64) -> String {
        switch random.int(0...99) {
        case 0..<70: KillSpool.taskType(sleep: 0, "result")
        case 70..<90: KillSpool.taskType(sleep: random.double(0.02...0.2), "result")
        default: KillSpool.taskType(sleep: 0, "retry1")
        }
    }

    /// Waits until the callback is in `done/`, at most `seconds`; with `killing`, kills and restarts a
    /// random worker every 100 to 700 ms meanwhile, and observes the attempt counts after each kill (I6).
    mutating func run(killing: Bool, within seconds: Double = 90) async throws {
        let deadline = SystemClock().now.adding(seconds: seconds)
        while !callbackDone && SystemClock().now < deadline {
            try await Task.sleep(for: .milliseconds(random.int(100...700)))
            guard killing, !callbackDone else { continue }
            let index = random.int(1...(daemons.modes.count - 1))
            await daemons.kill(index)
            kills += 1
            try await Task.sleep(for: .milliseconds(random.int(0...150)))
            try daemons.restart(index)
            log.observe(attempts: AttemptCensus.read(root: spool.root))
        }
    }

    /// Seconds since the run was set up.
    var seconds: Double { Double(SystemClock().now.milliseconds - started.milliseconds) / 1000 }

    private var callbackDone: Bool {
        receipt.callback.first.flatMap { library.find(id: $0) }?.state == .done
    }

    /// Kills the daemons after a failure of the harness, leaving the run's folder for a look.
    mutating func abandon() async {
        await daemons.killAll()
    }

    /// Stops the faults: waits for the queue to drain, measures the daemons' idle CPU, stops them with
    /// `SIGTERM`, and checks the invariants and the group.
    ///
    /// - Returns: The kill tests' report, and what the group left (its problems include daemons that did not
    ///   exit cleanly).
    mutating func finish() async -> (report: InvariantReport, group: GroupOutcome) {
        let invariants = SpoolInvariants(root: spool.root)
        let drain = await invariants.waitForDrain(within: 120)
        let idle = await SpoolInvariants.checkIdle(pids: daemons.pids)
        let stopped = await daemons.terminateAll()
        var report = invariants.check(log: log, runs: HandlerRunLog(path: spool.runLog))
        report.violations += (drain.violation.map { [$0] } ?? []) + idle.violations
        var group = checkGroup(killed: kills > 0)
        group.problems += stopped
        return (report, group)
    }
}
