import SpoolCore
import SpoolSystem
import SpoolTestSupport
import Testing

#if canImport(Glibc)
@preconcurrency import Glibc
#elseif canImport(Musl)
@preconcurrency import Musl
#endif

/// Kills `spool-test-worker` just before each system call its operation makes, one crash point per run, and
/// checks that recovery (janitor, sweeper) leaves every task in exactly one place with complete content.
///
/// For each scenario the calls are counted in-process under an empty `SyscallFaults`; then, for every call
/// name and every occurrence N (0-based), a fresh spool is set up, the child runs with `--crash-at CALL:N`
/// and must die by SIGKILL. One more run per call name, with N equal to the count, must not crash at all
/// (so the in-process count matches the child) and must reach the operation's intended end state.
@Suite(.serialized) struct CrashConsistencyTests {
    @Test(.timeLimit(.minutes(5)), arguments: CrashScenario.allCases)
    func crashAtEverySystemCall(_ scenario: CrashScenario) async throws {
        try await runEveryCrashPoint(of: scenario, label: "\(scenario)")
    }

    /// The same on a filesystem without `renameat2` flags (GlusterFS, NFS), forced here: moves that must not
    /// replace go by link then unlink, rewrites set the task's file aside.
    @Test(.timeLimit(.minutes(5)), arguments: CrashScenario.allCases)
    func crashAtEverySystemCallWithoutRenameFlags(_ scenario: CrashScenario) async throws {
        try await withoutRenameFlags {
            try await runEveryCrashPoint(of: scenario, label: "\(scenario) without rename flags")
        }
    }

    private func runEveryCrashPoint(of scenario: CrashScenario, label: String) async throws {
        _ = try TestWorkerLocator.resolve()
        try await SpoolCrashTests.runEveryCrashPoint(of: label, counts: try scenario.countCalls()) {
            call,
            after,
            crashes in
            try await runCrashPoint(scenario, call: call, after: after, crashes: crashes)
        }
    }

    /// Runs one child with `--crash-at call:after` on a fresh spool, recovers, and returns what is wrong.
    func runCrashPoint(_ scenario: CrashScenario, call: String, after: Int, crashes: Bool) async throws -> [String] {
        try await TemporarySpool.with("crash") { directory in
            let root = directory.path
            try scenario.setUp(root)
            let child = try await runTestWorker(scenario.arguments(root) + ["--crash-at", "\(call):\(after)"])
            var problems: [String] = []
            let expected: ChildProcess.Exit = crashes ? .signaled(SIGKILL) : .exited(0)
            if child.exit != expected {
                problems.append("child \(child.exit), expected \(expected); output: \(child.output)")
            }

            let spool = try Spool(root: root)
            let recovery = spool.runJanitor()
            // A returned lease is rewritten; the old content is deleted by a thread of this process, soon after.
            DeferredUnlink.waitUntilIdle()
            problems += check(
                scenario,
                spool: spool,
                root: root,
                child: child.pid,
                crashed: crashes,
                stage: "after the janitor"
            )

            // Promote whatever is scheduled (a delayed task, a retry, a returned lease): it must move once.
            let later = spool.clock.now.adding(seconds: 86_400)
            Sweeper(spool: spool).advance(now: later)
            let inspection = SpoolInspection(spool: spool, root: root, child: child.pid)
            if let stray = inspection.tasks.first(where: { $0.state == .scheduled }) {
                problems.append("the sweeper left \(stray.path) in scheduled/")
            }
            problems += check(
                scenario,
                spool: spool,
                root: root,
                child: child.pid,
                crashed: crashes,
                stage: "after the sweep"
            )

            // Recovery is idempotent: a second pass finds nothing to do and changes nothing.
            let before = SpoolSnapshot(root)
            let second = spool.runJanitor()
            if second != JanitorReport() {
                problems.append("a second janitor pass still did something: \(second) (first: \(recovery))")
            }
            let changed = SpoolSnapshot(root).differences(from: before)
            if !changed.isEmpty { problems.append("a second janitor pass changed \(changed.joined(separator: ", "))") }

            // A producer whose enqueue was never acknowledged enqueues again: that must work.
            if scenario.kind == .enqueue, crashes, inspection.tasks.isEmpty {
                do {
                    try spool.enqueue(scenario.newTask)
                } catch {
                    problems.append("the task is nowhere, yet enqueueing it again fails: \(error)")
                }
            }
            return problems
        }
    }

    /// The invariant, for this scenario: where the task (or drop) may be, and what its file holds.
    func check(_ scenario: CrashScenario, spool: Spool, root: String, child: pid_t, crashed: Bool, stage: String)
        -> [String]
    {
        let inspection = SpoolInspection(spool: spool, root: root, child: child)
        var problems = inspection.problems
        let tasks = inspection.tasks
        let records = inspection.allRecords

        // Where the task is.
        switch scenario.kind {
        case .enqueue:
            if tasks.count > 1 { problems.append("\(tasks.count) tasks for one enqueue") }
            if !crashed && tasks.count != 1 { problems.append("the enqueue completed but there is no task") }
        case .ingest:
            let incoming = SpoolFiles.names("\(root)/\(SpoolLayout.incoming)")
            let rejected = SpoolFiles.names("\(root)/\(SpoolLayout.rejected)")
            let drop = CrashScenario.dropName
            let waiting = incoming == [drop]
            if incoming != [] && !waiting { problems.append("incoming/ holds \(incoming)") }
            if scenario == .ingestInvalid {
                if !tasks.isEmpty { problems.append("an invalid drop became \(tasks.count) task(s)") }
                let isRejected = rejected == [drop, drop + ".reason"]
                if rejected != [] && !isRejected { problems.append("rejected/ holds \(rejected)") }
                if waiting == isRejected {
                    problems.append(
                        waiting
                            ? "the drop is both in incoming/ and rejected/"
                            : "the drop is lost: neither in incoming/ nor rejected/"
                    )
                }
                if isRejected, (try? SpoolFiles.read("\(root)/\(SpoolLayout.rejected)/\(drop)")) != scenario.dropBytes {
                    problems.append("rejected/\(drop) is not the drop byte for byte")
                }
                if !crashed && !isRejected { problems.append("the ingest completed but the drop is not in rejected/") }
            } else {
                if !rejected.isEmpty { problems.append("a valid drop went to rejected/: \(rejected)") }
                if tasks.count > 1 { problems.append("\(tasks.count) tasks for one drop") }
                if waiting && !tasks.isEmpty { problems.append("the drop is both in incoming/ and a task") }
                if !waiting && tasks.isEmpty { problems.append("the drop is lost: neither in incoming/ nor a task") }
                if !crashed && tasks.count != 1 { problems.append("the ingest completed but there is no task") }
            }
        case .claim:
            if tasks.count != 1 { problems.append("\(tasks.count) tasks where there was one") }
        }
        // Its unique key: held by the task while it waits or runs, free once it finished or is not there.
        let keys = SpoolFiles.names("\(root)/\(SpoolLayout.uniqueFolder(queue: CrashScenario.queue))")
            .filter { $0 != SpoolLayout.uniqueLock }
        let holding = tasks.filter { [.scheduled, .active, .running].contains($0.state) }
        if let task = holding.first {
            let text = SpoolFiles.readLink("\(root)/unique/\(CrashScenario.queue)/\(CrashScenario.uniqueKey)") ?? ""
            let holder = (try? JSONParser.parse(Array(text.utf8)))?["task"]?.stringValue
            if keys != [CrashScenario.uniqueKey] || holder != task.id {
                problems.append(
                    "\(stage): task \(task.id) waits or runs, but its unique key is held by \(holder ?? "none") (\(keys))"
                )
            }
        } else if !keys.isEmpty {
            problems.append("\(stage): no task waits or runs, yet unique keys \(keys) are held")
        }
        if let id = scenario.taskID, let other = tasks.first(where: { $0.id != id }) {
            problems.append("unexpected task \(other.id) at \(other.path)")
        }

        // What its file holds.
        let allowedAttempts = scenario.intendedAttempts + (crashed ? 1 : 0)
        for record in records {
            if record.type != "test" || record.payload != scenario.payload {
                problems.append("task \(record.id) holds type \(record.type), payload \(record.payload)")
            }
            if record.attempts.count > allowedAttempts {
                problems.append(
                    "task \(record.id) has \(record.attempts.count) attempts, at most \(allowedAttempts) allowed"
                )
            }
            if !crashed && record.attempts.count != scenario.intendedAttempts {
                problems.append(
                    "task \(record.id) has \(record.attempts.count) attempts, expected \(scenario.intendedAttempts)"
                )
            }
            if record.createdAt == nil { problems.append("task \(record.id) has no created_at") }
        }
        for location in tasks where location.state == .done {
            if let record = inspection.records[location.path], !record.attempts.isEmpty {
                problems.append(
                    "task \(record.id) succeeded in done/ but records failed attempts \(record.attempts.map(\.error))"
                )
            }
        }

        // Where it ends when nothing crashed (the sweep has promoted scheduled tasks by then).
        if !crashed && stage == "after the sweep" {
            let states = tasks.map(\.state)
            let expected = scenario.finalState.map { [$0] } ?? []
            if states != expected {
                problems.append("the operation completed, yet the task is in \(states), expected \(expected)")
            }
            if scenario == .claimCompleteResult, let record = records.first,
                record.result != .object([JSONMember("ok", .bool(true))])
            {
                problems.append("the result was not recorded: \(String(describing: record.result))")
            }
        }
        return problems.map { "\(stage): \($0)" }
    }
}
