import SpoolCore
import SpoolSystem
import SpoolTestSupport
import Synchronization
import Testing

#if canImport(Glibc)
@preconcurrency import Glibc
#elseif canImport(Musl)
@preconcurrency import Musl
#endif

/// The durability promise of FORMAT.md section 5 under power losses, on real ext4, xfs and btrfs filesystems.
///
/// Each case makes a filesystem in a 300 MB sparse image on a loop device and runs load on a spool in it:
/// `spool-test-worker produce` enqueues continuously (a mix of due and delayed tasks, generated and given
/// ids, single and batch enqueues) and logs each id to a file outside the image once its enqueue returned;
/// `spool-test-worker work` claims and finishes tasks and logs each finish once it returned. At a random
/// moment the power is cut: both processes are stopped (SIGSTOP; a system call under way completes first,
/// as it would before a cut a moment later, and the filesystem is left nearly idle while it is copied),
/// their logs are read, and the image file is copied while the filesystem is still mounted, without a sync,
/// so the copy lacks whatever the filesystem had not yet written to its device. Then the processes are
/// killed, the original unmounted and the copy mounted in its place, which replays the journal (ext4), log
/// (xfs) or log tree (btrfs). `spool-test-worker recover` does what a daemon does at start (a
/// janitor pass and a sweep), and the spool is checked (``PowerLossCheck``):
///
/// - every acknowledged enqueue is present exactly once, in `scheduled/`, `active/`, `running/`, `done/` or
///   `dead/`, and its file parses and holds what was enqueued;
/// - no task appears that was not enqueued (besides the enqueue or batch of each run in flight at the cut);
/// - under durability `full`, every logged finish is still in its `done/` or `dead/`;
/// - recovery leaves nothing in `running/`, `tmp/`, `incoming/` or `rejected/`, and no reservation in
///   `ids/` without its task.
///
/// The cuts of a case follow one another on the same filesystem: the next load runs on the recovered spool,
/// so every earlier acknowledgement must survive every later cut too. They take turns: at a random moment of
/// steady load (one call in ten a batch enqueue of 8); right after a burst of 40 single enqueues, while the
/// producer pauses, which is when the last enqueue's flushes matter most (on ext4 and xfs any later flush of
/// the filesystem commits earlier metadata too, so a missing folder flush shows mostly for the last
/// enqueues before a cut); and during a load of batch enqueues each followed by a pause.
///
/// ``weakenedBuildLosesAcknowledgedEnqueues()`` proves that the check can fail: with every `fsync` skipped
/// (`--skip-call fsync`, so folders are never flushed), cuts right after a burst must lose an acknowledged
/// enqueue.
///
/// Quick profile: 3 cuts per case (`enqueue` on each filesystem, `full` on btrfs), well under two minutes in
/// all. Soak: `SPOOL_POWER_LOSS_CYCLES=N` runs N cuts per case, and both levels on every filesystem (about
/// three seconds per cut). Needs root and loop devices (the suite is skipped otherwise), and `mkfs.ext4`,
/// `mkfs.xfs` and `mkfs.btrfs` (`make test-deps` installs them).
///
/// On btrfs a power loss can bring back the name a file had before a rename whose source folder was not
/// flushed (btrfs logs the new name when the target folder is flushed, but keeps an old name that a
/// transaction had committed): the task is then under two names until recovery settles them, which the
/// check requires. The count of such tasks before recovery is printed.
@Suite(.serialized, .requiresRoot) struct PowerLossTests {
    /// Cuts per case: `SPOOL_POWER_LOSS_CYCLES`, else 3.
    static let cycles: Int = {
        guard let text = getenv("SPOOL_POWER_LOSS_CYCLES").map({ String(cString: $0) }), let value = Int(text),
            value > 0
        else { return 3 }
        return value
    }()

    /// A case's time limit: a cut takes about three seconds.
    static let minutesAllowed = 2 + cycles / 5

    /// Cuts per filesystem in the weakened run.
    static let weakenedCuts = 2

    /// The tasks a batch enqueue of `spool-test-worker produce --batch-every` holds.
    static let batchSize = 8

    @Test(.timeLimit(.minutes(minutesAllowed)), arguments: PowerLossCase.selected)
    func acknowledgedWorkSurvivesPowerLoss(_ testCase: PowerLossCase) async throws {
        let worker = try TestWorkerLocator.resolve()
        let filesystem = try await LoopFilesystem(testCase.filesystem)
        let load = LoadProcesses()
        defer {
            load.killAll()
            filesystem.remove()
        }
        try await filesystem.mount()
        var ledger = PowerLossLedger()
        var inFlightFound = 0
        var broughtBack = 0
        for cycle in 1...PowerLossTests.cycles {
            let cut = try await runCycle(
                cycle,
                on: filesystem,
                durability: testCase.durability,
                cut: [.anyMoment, .afterBurst, .afterBatch][(cycle - 1) % 3],
                withWorker: true,
                skippingFsync: false,
                worker: worker,
                load: load,
                ledger: &ledger
            )
            inFlightFound = cut.check.unacknowledged.count
            broughtBack += cut.twoNames.count
            #expect(
                cut.check.lost.isEmpty,
                "\(testCase) cut \(cycle): \(cut.check.lost.count) acknowledged enqueues lost: \(cut.check.lost.prefix(10))"
            )
            #expect(
                cut.check.problems.isEmpty,
                "\(testCase) cut \(cycle), tasks under two names before recovery \(cut.twoNames):\n  \(lines(cut.check.problems))"
            )
            #expect(cut.problems.isEmpty, "\(testCase) cut \(cycle): \(cut.problems)")
            if !cut.check.problems.isEmpty || !cut.problems.isEmpty { break }
        }
        #expect(ledger.acknowledgedCount >= 20 * PowerLossTests.cycles, "too little load to tell anything")
        if testCase.durability == "full" {
            #expect(!ledger.finished.isEmpty, "the worker finished nothing")
        }
        print(
            "[power-loss] \(testCase): \(PowerLossTests.cycles) cuts, \(ledger.acknowledgedCount) enqueues acknowledged, "
                + "\(ledger.finished.count) finishes logged, \(inFlightFound) enqueues in flight at a cut found, "
                + "\(broughtBack) tasks under two names before recovery"
        )
    }

    #if ENABLE_MOCKING
    /// The test must catch a Spool that does not flush folders: with `fsync` skipped, a cut right after a
    /// burst of enqueues finds at least one acknowledged enqueue gone.
    @Test(.timeLimit(.minutes(2)))
    func weakenedBuildLosesAcknowledgedEnqueues() async throws {
        let worker = try TestWorkerLocator.resolve()
        var lostByFilesystem: [String] = []
        var totalLost = 0
        for kind in LoopFilesystem.Kind.allCases {
            let filesystem = try await LoopFilesystem(kind)
            let load = LoadProcesses()
            defer {
                load.killAll()
                filesystem.remove()
            }
            try await filesystem.mount()
            var ledger = PowerLossLedger()
            var lostHere: [Int] = []
            var previouslyLost = Set<String>()
            for cycle in 1...PowerLossTests.weakenedCuts {
                let cut = try await runCycle(
                    cycle,
                    on: filesystem,
                    durability: "enqueue",
                    cut: .afterBurst,
                    withWorker: false,
                    skippingFsync: true,
                    worker: worker,
                    load: load,
                    ledger: &ledger
                )
                #expect(cut.problems.isEmpty, "weakened \(kind) cut \(cycle): \(cut.problems)")
                let newlyLost = Set(cut.check.lost).subtracting(previouslyLost)
                previouslyLost.formUnion(newlyLost)
                lostHere.append(newlyLost.count)
            }
            totalLost += lostHere.reduce(0, +)
            lostByFilesystem.append(
                "\(kind): lost \(lostHere.map(String.init).joined(separator: " + ")) of \(ledger.acknowledgedCount)"
            )
        }
        print("[power-loss] weakened (fsync skipped), cuts after a burst: \(lostByFilesystem.joined(separator: "; "))")
        #expect(
            totalLost > 0,
            "with folder flushes skipped no acknowledged enqueue was lost: the power-loss test cannot tell a weakened build"
        )
    }
    #endif

    // MARK: - One cut

    /// When the power goes.
    enum CutMoment: CustomStringConvertible {
        /// At a random moment of steady load.
        case anyMoment
        /// At a random moment, then just after the producer's next burst, while it pauses.
        case afterBurst
        /// At a random moment of a load of batch enqueues, each followed by a pause: mostly in a pause.
        case afterBatch

        var description: String {
            switch self {
            case .anyMoment: "at any moment"
            case .afterBurst: "after a burst"
            case .afterBatch: "after a batch"
            }
        }
    }

    /// What one cut found.
    struct CutResult {
        var check: PowerLossCheck
        /// Problems with the run itself (a load process that died early), not with the spool.
        var problems: [String]
        /// Tasks found under more than one name after the power loss, before recovery: id → paths.
        var twoNames: [String: [String]] = [:]
    }

    static let burst = 40

    /// Runs load on the spool in `filesystem`, cuts the power, mounts what survived, recovers and checks it.
    func runCycle(
        _ cycle: Int,
        on filesystem: LoopFilesystem,
        durability: String,
        cut moment: CutMoment,
        withWorker: Bool,
        skippingFsync: Bool,
        worker: String,
        load: LoadProcesses,
        ledger: inout PowerLossLedger
    ) async throws -> CutResult {
        let root = "\(filesystem.mountPoint)/spool"
        let run = "c\(cycle)"
        let ackLog = "\(filesystem.folder)/ack.\(run)"
        let finishLog = "\(filesystem.folder)/finish.\(run)"
        let flags = ["--durability", durability] + (skippingFsync ? ["--skip-call", "fsync"] : [])
        // No batches in bursts: a burst counts calls, and the cut after one counts acknowledgements.
        let batches = moment != .afterBurst
        let pacing =
            switch moment {
            case .anyMoment: ["--batch-every", "10"]
            case .afterBurst: ["--burst", "\(PowerLossTests.burst)", "--pause-ms", "100"]
            case .afterBatch: ["--batch-every", "1", "--burst", "1", "--pause-ms", "200"]
            }
        let producer = try load.start(worker, ["produce", root, ackLog, "--run", run] + pacing + flags)
        var children = [producer]
        if withWorker { children.append(try load.start(worker, ["work", root, finishLog] + flags)) }
        var problems: [String] = []

        // Let the load get going, then wait a random while.
        let started = monotonicSeconds()
        while PowerLossLedger.lines(ackLog).count < 20 {
            if let dead = children.first(where: { !isAlive($0) }) {
                return CutResult(check: PowerLossCheck(), problems: ["load process died early: \(dead.errorOutput)"])
            }
            if monotonicSeconds() - started > 30 {
                return CutResult(check: PowerLossCheck(), problems: ["the producer acknowledged nothing in 30 s"])
            }
            try await Task.sleep(for: .milliseconds(2))
        }
        try await Task.sleep(for: .milliseconds(Int.random(in: 200...1500)))
        if moment == .afterBurst {
            let deadline = monotonicSeconds() + 10
            while PowerLossLedger.lines(ackLog).count % PowerLossTests.burst != 0, monotonicSeconds() < deadline {
                try await Task.sleep(for: .milliseconds(1))
            }
        }

        // The cut: stop the load, note what it was told, copy the image without a sync.
        for child in children { child.send(SIGSTOP) }
        for child in children where !waitUntilStopped(child) { problems.append("\(child.pid) did not stop") }
        let cutAt = monotonicSeconds() - started
        let before = ledger.acknowledgedCount
        ledger.readAcknowledged(run: run, from: ackLog, inFlight: batches ? PowerLossTests.batchSize : 1)
        if withWorker { ledger.readFinished(from: finishLog) }
        let copySeconds = try await filesystem.cutPower()
        for child in children {
            child.send(SIGKILL)
            let exit = await child.waitForExit()
            if exit != .signaled(SIGKILL) { problems.append("load process \(exit): \(child.errorOutput)") }
        }
        load.forget(children)

        // After the power loss: mount the copy (journal replay), recover as a daemon does at start, check.
        try await filesystem.replaceWithCopy()
        let twoNames = PowerLossCheck.tasksWithTwoNames(root: root)
        let recovery = try await runTestWorker(["recover", root, "--durability", durability])
        if recovery.exit != .exited(0) { problems.append("recover \(recovery.exit): \(recovery.output)") }
        let check = PowerLossCheck(root: root, ledger: ledger, finishesKept: durability == "full")
        let found = check.states.sorted { $0.key.rawValue < $1.key.rawValue }.map { "\($0.key) \($0.value)" }
        print(
            "[power-loss] \(filesystem.kind)/\(durability)\(skippingFsync ? " fsync skipped" : "") cut \(cycle) "
                + "\(moment) at \((cutAt * 100).rounded() / 100) s: "
                + "\(ledger.acknowledgedCount - before) acknowledged (\(ledger.acknowledgedCount) in all), "
                + "\(ledger.finished.count) finished, lost \(check.lost.count), "
                + "\(check.unacknowledged.count) in flight found; tasks: \(found.joined(separator: ", ")); "
                + "tasks under two names \(twoNames.count); copy \(Int(copySeconds * 1000)) ms; "
                + recovery.output.trimmingCharacters(while: { $0 == "\n" })
        )
        return CutResult(check: check, problems: problems, twoNames: twoNames)
    }

    /// The problems, one per line, at most 20.
    func lines(_ problems: [PowerLossCheck.Problem]) -> String {
        problems.prefix(20).map(\.text).joined(separator: "\n  ")
    }

    /// Whether `child` has not ended (it may be stopped).
    func isAlive(_ child: ChildProcess) -> Bool {
        processState(child.pid).map { $0 != "Z" && $0 != "X" } ?? false
    }

    /// Waits until `child` is stopped by a signal (state `T` in `/proc/<pid>/stat`); `false` after 5 seconds.
    func waitUntilStopped(_ child: ChildProcess) -> Bool {
        let deadline = monotonicSeconds() + 5
        while monotonicSeconds() < deadline {
            if processState(child.pid) == "T" { return true }
            usleep(200)
        }
        return false
    }

    /// The state letter of process `pid` (field 3 of `/proc/<pid>/stat`), or `nil` if it is gone.
    func processState(_ pid: pid_t) -> Character? {
        guard let bytes = try? SpoolFiles.read("/proc/\(pid)/stat"),
            let close = bytes.lastIndex(of: UInt8(ascii: ")")), close + 2 < bytes.count
        else { return nil }
        return Character(UnicodeScalar(bytes[close + 2]))
    }
}

/// One filesystem and durability level the power-loss test runs on.
struct PowerLossCase: Sendable, CustomStringConvertible {
    var filesystem: LoopFilesystem.Kind
    /// `enqueue` or `full`.
    var durability: String

    var description: String { "\(filesystem.rawValue)/\(durability)" }

    /// The cases run: ``quick``, or every filesystem at both levels when `SPOOL_POWER_LOSS_CYCLES` is set.
    static var selected: [PowerLossCase] {
        getenv("SPOOL_POWER_LOSS_CYCLES") == nil
            ? quick
            : LoopFilesystem.Kind.allCases.flatMap { kind in
                ["enqueue", "full"].map { PowerLossCase(filesystem: kind, durability: $0) }
            }
    }

    /// The quick profile: the default level on each filesystem, and `full` on btrfs, whose fsync logs only
    /// what it is asked to, so that a missing folder flush shows most there.
    static let quick = [
        PowerLossCase(filesystem: .ext4, durability: "enqueue"),
        PowerLossCase(filesystem: .xfs, durability: "enqueue"),
        PowerLossCase(filesystem: .btrfs, durability: "enqueue"),
        PowerLossCase(filesystem: .btrfs, durability: "full"),
    ]
}

/// The load processes of a test, killed in a `defer` should the test fail while they run.
final class LoadProcesses: Sendable {
    private let running = Mutex<[ChildProcess]>([])

    /// Starts `executable` with `arguments` and keeps it to be killed.
    func start(_ executable: String, _ arguments: [String]) throws -> ChildProcess {
        let child = try ChildProcess(executable, arguments)
        running.withLock { $0.append(child) }
        return child
    }

    /// Stops keeping `children` (they have been reaped).
    func forget(_ children: [ChildProcess]) {
        let pids = Set(children.map(\.pid))
        running.withLock { $0.removeAll { pids.contains($0.pid) } }
    }

    /// Kills and reaps every process still kept.
    func killAll() {
        let children = running.withLock { list in
            defer { list.removeAll() }
            return list
        }
        for child in children {
            child.send(SIGKILL)
            _ = child.waitForExit()
        }
    }
}

extension Trait where Self == ConditionTrait {
    /// Runs the test only as root, which loop devices and mounts need.
    static var requiresRoot: Self {
        .enabled(if: getuid() == 0, "needs root: it attaches loop devices and mounts filesystems")
    }
}
