import SpoolCore
import SpoolTestSupport

/// What a cluster run left once its daemons stopped: figures for the summary, and every broken promise.
struct ClusterOutcome: Sendable {
    /// Acknowledged tasks found in `done/`.
    var done = 0
    /// Lines of the three run logs.
    var runs = 0
    /// Failed attempts recorded because the handler asked for a retry (`exit status 75`).
    var handlerRetries = 0
    /// Failed attempts recorded because their worker was killed or their lease expired.
    var repeats: [RepeatReason: Int] = [:]
    /// Broken promises, one line each.
    var problems: [String] = []

    var summary: String {
        "done=\(done) handler_runs=\(runs) handler_retries=\(handlerRetries) repeats=("
            + RepeatReason.allCases.map { "\($0.rawValue)=\(repeats[$0] ?? 0)" }.joined(separator: " ")
            + ") problems=\(problems.count)"
    }
}

/// One line of a cluster run log: a run of the handler.
private struct ClusterRunLine {
    var id: String
    var attempt: Int
    var host: String
}

extension ClusterRun {
    /// The promises, once the daemons stopped: the three mounts list the same tasks; every acknowledged task
    /// is in `done/`, once, and no other task exists; `dead/`, `rejected/`, `active/`, `scheduled/`,
    /// `running/`, `tmp/` and `incoming/` hold no file; each attempt of a task ran once, on one host (no
    /// line of the run logs twice); and each task's recorded attempts agree with its runs: its failed
    /// attempts are numbered from 1, each logged run is one of its attempts, its last (successful) attempt
    /// ran, and each failed attempt that ran, ran on the host its record names. A failure not caused by the
    /// handler's exit 75 (first attempt of a `retry1` task) must be a kill's or an expired lease's; with
    /// `killed` false there must be none, and every attempt ran.
    func check(killed: Bool) -> ClusterOutcome {
        var outcome = ClusterOutcome()
        // The records are read from the brick, which holds the volume's files as they are: ten thousand
        // reads through a mount take half a minute.
        guard let reader = try? Spool(root: volume.mounts[0], access: .readOnly),
            let brick = try? Spool(root: volume.brick, access: .readOnly)
        else {
            outcome.problems.append("the spool at \(volume.mounts[0]) or its brick cannot be opened")
            return outcome
        }
        let tasks = reader.list(limit: Int.max)
        checkMountsAgree(tasks, into: &outcome)
        checkLeftovers(into: &outcome)
        var places: [String: [TaskLocation]] = [:]
        for task in tasks { places[task.id, default: []].append(task) }
        for (id, found) in places where acknowledged[id] == nil {
            outcome.problems.append("task \(id) was never enqueued, yet is in \(found.map(\.path))")
        }
        let runs = readRunLogs(into: &outcome)
        for (id, type) in acknowledged.sorted(by: { $0.key < $1.key }) {
            let found = places[id] ?? []
            guard found.count == 1, let place = found.first, place.state == .done else {
                outcome.problems.append(
                    found.isEmpty ? "task \(id) is lost" : "task \(id) is in \(found.map(\.path).sorted())"
                )
                continue
            }
            outcome.done += 1
            do {
                let record = try brick.record(at: place)
                checkAttempts(of: record, type: type, runs: runs[id] ?? [:], killed: killed, into: &outcome)
            } catch {
                outcome.problems.append("\(place.path) cannot be read: \(error)")
            }
        }
        return outcome
    }

    /// Every mount lists the same tasks in the same states as the first.
    private func checkMountsAgree(_ tasks: [TaskLocation], into outcome: inout ClusterOutcome) {
        let first = Set(tasks.map(\.path))
        for mount in volume.mounts.dropFirst() {
            guard let other = try? Spool(root: mount, access: .readOnly) else {
                outcome.problems.append("the spool at \(mount) cannot be opened")
                continue
            }
            let seen = Set(other.list(limit: Int.max).map(\.path))
            if seen != first {
                outcome.problems.append(
                    "\(mount) lists \(seen.subtracting(first).sorted().prefix(5)) that the first mount does not, "
                        + "and not \(first.subtracting(seen).sorted().prefix(5))"
                )
            }
        }
    }

    /// No file is left where a finished run leaves none.
    private func checkLeftovers(into outcome: inout ClusterOutcome) {
        let folders = [
            SpoolLayout.dead, SpoolLayout.rejected, SpoolLayout.active, SpoolLayout.scheduled, SpoolLayout.running,
            SpoolLayout.tmp, SpoolLayout.incoming,
        ]
        for folder in folders {
            let files = SpoolFiles.files(under: "\(volume.mounts[0])/\(folder)")
            if !files.isEmpty {
                outcome.problems.append(
                    "\(folder)/ holds \(files.count) files: \(files.prefix(10).joined(separator: ", "))"
                )
            }
        }
    }

    /// The hosts each attempt of each task ran on, from the three run logs; a line that is not
    /// `<id> <attempt> <host>` of its log's host, or an attempt that ran more than once, is a problem.
    private func readRunLogs(into outcome: inout ClusterOutcome) -> [String: [Int: [String]]] {
        var runs: [String: [Int: [String]]] = [:]
        for host in hosts {
            let text = String(decoding: (try? SpoolFiles.read(host.runLog)) ?? [], as: UTF8.self)
            for line in text.split(separator: "\n") {
                let fields = line.split(separator: " ").map(String.init)
                guard fields.count == 3, let attempt = Int(fields[1]), fields[2] == host.name else {
                    outcome.problems.append("\(host.runLog) holds the line \"\(line)\"")
                    continue
                }
                outcome.runs += 1
                runs[fields[0], default: [:]][attempt, default: []].append(fields[2])
            }
        }
        for (id, attempts) in runs {
            if acknowledged[id] == nil { outcome.problems.append("the handler ran task \(id), never enqueued") }
            for (attempt, hosts) in attempts where hosts.count > 1 {
                outcome.problems.append(
                    "attempt \(attempt) of task \(id) ran \(hosts.count) times: on \(hosts.sorted())"
                )
            }
        }
        return runs
    }

    /// A done task's recorded attempts against the runs of its handler (see ``check(killed:)``).
    private func checkAttempts(
        of record: TaskRecord,
        type: String,
        runs: [Int: [String]],
        killed: Bool,
        into outcome: inout ClusterOutcome
    ) {
        let id = record.id
        let failed = record.attempts.map(\.number)
        let last = failed.count + 1
        if failed != Array(1..<last) { outcome.problems.append("task \(id) records the failed attempts \(failed)") }
        if runs[last] == nil {
            outcome.problems.append(
                "task \(id) succeeded at attempt \(last), which never ran (ran: \(runs.keys.sorted()))"
            )
        }
        if let extra = runs.keys.filter({ $0 > last }).min() {
            outcome.problems.append("attempt \(extra) of task \(id) ran, but the task records \(last) attempts")
        }
        if !killed, Set(runs.keys) != Set(1...last) {
            outcome.problems.append("task \(id) records \(last) attempts; its handler ran \(runs.keys.sorted())")
        }
        for attempt in record.attempts {
            let host = attempt.worker.map { String($0.prefix { $0 != "." }) }
            if let ranOn = runs[attempt.number]?.first, host != ranOn {
                outcome.problems.append(
                    "task \(id) records attempt \(attempt.number) on \(attempt.worker ?? "no worker"); it ran on \(ranOn)"
                )
            }
            if let reason = RepeatReason(error: attempt.error) {
                outcome.repeats[reason, default: 0] += 1
                if !killed {
                    outcome.problems.append(
                        "attempt \(attempt.number) of task \(id) failed without a kill: \(attempt.error)"
                    )
                }
            } else if type == "retry1", attempt.number == 1, attempt.error == "exit status 75" {
                outcome.handlerRetries += 1
            } else {
                outcome.problems.append("attempt \(attempt.number) of task \(id) (\(type)) failed: \(attempt.error)")
            }
        }
        if !killed, type == "retry1", failed != [1] {
            outcome.problems.append("task \(id) of type retry1 records the failed attempts \(failed), not [1]")
        }
    }
}
