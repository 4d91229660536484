import SpoolCore
import SpoolSystem
import SpoolTestSupport
import Testing

#if canImport(Glibc)
@preconcurrency import Glibc
#elseif canImport(Musl)
@preconcurrency import Musl
#endif

/// The workflow protocols under crashes: `spool-test-worker` finishes a chain step, finishes a group's last
/// member, or creates a group, and is killed just before each system call it makes, one crash point per
/// run, as ``CrashConsistencyTests`` does for the other operations (and with one more run per call name,
/// past its last occurrence, that must not crash and must reach the operation's end state).
///
/// After each crash the spool is recovered as a restarted daemon recovers it: one janitor pass at start,
/// the dead process gone. The step that follows a finish must then exist exactly once if the finish was
/// recorded (the task is in `done/` or `dead/`) and not at all otherwise (the task waits again, its lease
/// returned); a group must exist whole, each member once, or not at all, with no reservation left. A second
/// pass must change nothing. Then the spool is driven to the end (every waiting task claimed and finished):
/// the step follows exactly once, and nothing is left in `tmp/` or `ids/`.
@Suite(.serialized) struct WorkflowCrashTests {
    @Test(.timeLimit(.minutes(10)), arguments: WorkflowCrashScenario.allCases)
    func crashAtEverySystemCall(_ scenario: WorkflowCrashScenario) async throws {
        try await runEveryCrashPoint(of: scenario, label: "\(scenario)")
    }

    /// The same on a filesystem without `renameat2` flags (GlusterFS, NFS), forced here.
    @Test(.timeLimit(.minutes(10)), arguments: WorkflowCrashScenario.allCases)
    func crashAtEverySystemCallWithoutRenameFlags(_ scenario: WorkflowCrashScenario) async throws {
        try await withoutRenameFlags {
            try await runEveryCrashPoint(of: scenario, label: "\(scenario) without rename flags")
        }
    }

    private func runEveryCrashPoint(of scenario: WorkflowCrashScenario, label: String) async throws {
        _ = try TestWorkerLocator.resolve()
        try await SpoolCrashTests.runEveryCrashPoint(of: label, counts: try scenario.countCalls()) {
            call,
            after,
            crashes in
            try await runCrashPoint(scenario, call: call, after: after, crashes: crashes)
        }
    }

    /// Runs one child with `--crash-at call:after` on a fresh spool, recovers, drives the spool to the end,
    /// and returns what is wrong.
    func runCrashPoint(_ scenario: WorkflowCrashScenario, call: String, after: Int, crashes: Bool) async throws
        -> [String]
    {
        try await TemporarySpool.with("wfcrash") { directory in
            let root = directory.path
            let fixture = try scenario.setUp(root)
            let child = try await runTestWorker(scenario.arguments(root) + ["--crash-at", "\(call):\(after)"])
            var problems: [String] = []
            let expected: ChildProcess.Exit = crashes ? .signaled(SIGKILL) : .exited(0)
            if child.exit != expected {
                problems.append("child \(child.exit), expected \(expected); output: \(child.output)")
            }

            let spool = try Spool(root: root)
            let recovery = spool.runJanitor(atStart: true)
            DeferredUnlink.waitUntilIdle()
            func check(_ stage: WorkflowCrashScenario.Stage) -> [String] {
                scenario.check(spool, root: root, child: child.pid, fixture: fixture, crashed: crashes, stage: stage)
            }
            problems += check(.recovered)

            // Recovery is idempotent: a second pass finds nothing to do and changes nothing.
            let before = SpoolSnapshot(root)
            let second = spool.runJanitor(atStart: true)
            if second != JanitorReport() {
                problems.append("a second janitor pass still did something: \(second) (first: \(recovery))")
            }
            let changed = SpoolSnapshot(root).differences(from: before)
            if !changed.isEmpty { problems.append("a second janitor pass changed \(changed.joined(separator: ", "))") }

            do {
                try scenario.drive(spool)
                problems += check(.driven)
                if scenario == .chainOnFailure {
                    try scenario.failAgainAfterRetryByHand(spool)
                    problems += check(.driven).map { "after a retry by hand that failed again: \($0)" }
                }
            } catch {
                problems.append("driving the spool to the end failed: \(error)")
            }
            return problems
        }
    }
}
