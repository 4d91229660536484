import SpoolCore

extension SpoolInvariants {
    /// I3 and I4, from the handler's run log and each task's `attempts`.
    ///
    /// I3: a run of attempt n is the successful last run of a task in `done/` (n = recorded attempts + 1,
    /// exit 0), or attempt n is recorded: as the handler's own failure (`exit status <its status>`), or as a
    /// kill or an expired lease, which is the only record allowed for a run that never ended or that
    /// succeeded. An attempt recorded as the handler's failure must have a run.
    ///
    /// I4: at most one run per task and attempt, and a run that ended did so before any later run of its
    /// task started (a run killed with its process group has no end, and nothing of it runs on).
    func checkRuns(_ tasks: [FoundTask], runs log: HandlerRunLog, into report: inout InvariantReport) {
        for line in log.malformed {
            report.violations.append(
                InvariantViolation(invariant: .i3, subject: "run log", evidence: "unreadable line \"\(line)\"")
            )
        }
        report.runs = log.runs.count
        var records: [String: (TaskRecord, FoundTask)] = [:]
        for task in tasks {
            if let record = task.record { records[record.id] = (record, task) }
        }
        let runsByTask = log.byTask
        for (id, runs) in runsByTask.sorted(by: { $0.key < $1.key }) {
            checkOverlaps(id: id, runs: runs, into: &report)
            guard let (record, task) = records[id] else {
                report.violations.append(
                    InvariantViolation(
                        invariant: .i3,
                        subject: id,
                        evidence: "the handler ran it \(runs.count) times, but it is in no folder"
                    )
                )
                continue
            }
            checkCounted(record, state: task.state, runs: runs, into: &report)
        }
        for (id, (record, task)) in records where runsByTask[id] == nil {
            checkCounted(record, state: task.state, runs: [], into: &report)
        }
    }

    /// I4 for one task: one run per attempt, and no run starts before an earlier one ended.
    private func checkOverlaps(id: String, runs: [HandlerRun], into report: inout InvariantReport) {
        for (attempt, same) in Dictionary(grouping: runs, by: \.attempt) where same.count > 1 {
            report.violations.append(
                InvariantViolation(
                    invariant: .i4,
                    subject: id,
                    evidence: "attempt \(attempt) was claimed \(same.count) times: "
                        + same.map(\.description).joined(separator: ", "),
                    run: same.first
                )
            )
        }
        for (index, earlier) in runs.enumerated() {
            guard let end = earlier.end else { continue }
            for later in runs[(index + 1)...] where later.start < end {
                report.violations.append(
                    InvariantViolation(
                        invariant: .i4,
                        subject: id,
                        evidence: "\(earlier) still ran when \(later) started",
                        run: earlier
                    )
                )
            }
        }
    }

    /// I3 for one task.
    private func checkCounted(
        _ record: TaskRecord,
        state: TaskState,
        runs: [HandlerRun],
        into report: inout InvariantReport
    ) {
        let recorded = record.attempts.count
        let attempts = Dictionary(record.attempts.map { ($0.number, $0) }, uniquingKeysWith: { first, _ in first })
        func violation(_ evidence: String) {
            report.violations.append(InvariantViolation(invariant: .i3, subject: record.id, evidence: evidence))
        }
        for run in runs {
            if run.attempt == recorded + 1 {
                switch state {
                case .done where run.status != 0:
                    violation("is done, but its last \(run) did not succeed")
                case .dead:
                    violation("is dead after \(recorded) attempts, but \(run) is not recorded")
                default:
                    break
                }
                continue
            }
            guard let attempt = attempts[run.attempt] else {
                violation("\(run) is not counted: \(recorded) attempts are recorded")
                continue
            }
            if RepeatReason(error: attempt.error) != nil { continue }
            switch run.status {
            case nil:
                violation("\(run) never ended, yet attempt \(run.attempt) is recorded as \"\(attempt.error)\"")
            case 0:
                violation("\(run) succeeded, yet attempt \(run.attempt) is recorded as \"\(attempt.error)\"")
            case let status?:
                if !attempt.error.hasPrefix("exit status \(status)") {
                    violation("\(run) is recorded as \"\(attempt.error)\"")
                }
            }
        }
        let ranAttempts = Set(runs.map(\.attempt))
        for attempt in record.attempts {
            if let reason = RepeatReason(error: attempt.error) {
                if ranAttempts.contains(attempt.number) {
                    report.repeats[reason, default: 0] += 1
                } else {
                    report.returnedBeforeRun[reason, default: 0] += 1
                }
            } else if !ranAttempts.contains(attempt.number) {
                violation("attempt \(attempt.number) is recorded as \"\(attempt.error)\", but its handler never ran")
            }
        }
        if state == .done, !runs.contains(where: { $0.attempt == recorded + 1 && $0.status == 0 }) {
            if let last = record.attempts.last, RepeatReason(error: last.error) == .leaseExpired,
                runs.contains(where: { $0.attempt == last.number && $0.status == 0 })
            {
                violation(
                    "is done, but its attempt \(last.number) succeeded, is recorded as \"\(last.error)\" and never "
                        + "ran again: the success was counted as a failure and its result lost"
                )
            } else {
                violation("is done after \(recorded) failed attempts, but no run of attempt \(recorded + 1) succeeded")
            }
        }
    }
}
