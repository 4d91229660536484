import SpoolCore
import SpoolTestSupport

/// A promise of Spool that the fault suite checks after a run (docs/RELIABILITY.md).
enum Invariant: String, Sendable, Hashable, CaseIterable, Comparable {
    case i1 = "I1"
    case i2 = "I2"
    case i3 = "I3"
    case i4 = "I4"
    case i5 = "I5"
    case i6 = "I6"
    case i7 = "I7"
    case i8 = "I8"
    case i9 = "I9"

    /// The promise, in a few words.
    var promise: String {
        switch self {
        case .i1: "every acknowledged enqueue ends done, dead or pending, exactly once"
        case .i2: "nothing appears that was never enqueued"
        case .i3: "a repeat runs only after a crash, a kill or an expired lease, and is counted"
        case .i4: "one claim per task and attempt; no two runs of one task overlap"
        case .i5: "no leftovers in tmp/, ids/ or running/ after recovery"
        case .i6: "no task file is torn or empty; attempt counts never go backwards"
        case .i7: "every file sits where its name and state say"
        case .i8: "bad drops are quarantined with a reason, never deleted"
        case .i9: "the queue drains once faults stop, without busy loops"
        }
    }

    static func < (lhs: Invariant, rhs: Invariant) -> Bool { lhs.rawValue < rhs.rawValue }
}

/// One broken promise: the invariant, what it concerns (a task id, a tag or a path), and the evidence.
struct InvariantViolation: Sendable, Hashable, CustomStringConvertible {
    var invariant: Invariant
    var subject: String
    var evidence: String
    /// The handler run the evidence is about, when there is one (for I4, the run that went on too long).
    var run: HandlerRun?

    init(invariant: Invariant, subject: String, evidence: String, run: HandlerRun? = nil) {
        self.invariant = invariant
        self.subject = subject
        self.evidence = evidence
        self.run = run
    }

    var description: String { "\(invariant.rawValue) \(subject): \(evidence)" }
}

/// Why a task ran again although its handler had not asked for it.
enum RepeatReason: String, Sendable, Hashable, CaseIterable {
    /// Its worker process died during the attempt (`worker … exited during the attempt`).
    case killed
    /// Its lease expired (`lease expired at …`): the worker was stopped or too slow to renew it.
    case leaseExpired = "lease_expired"

    /// The reason an attempt's recorded error gives, if it is one of these.
    init?(error: String) {
        if error.hasPrefix("worker "), error.hasSuffix(" exited during the attempt") {
            self = .killed
        } else if error.hasPrefix("lease expired at ") {
            self = .leaseExpired
        } else {
            return nil
        }
    }
}

/// What a check found: the violations, and figures for a summary.
struct InvariantReport: Sendable {
    /// Every violation found; empty when every promise holds.
    var violations: [InvariantViolation] = []
    /// Acknowledged enqueues checked.
    var acknowledged = 0
    /// Acknowledged enqueues whose task is nowhere.
    var lost = 0
    /// Enqueues under way at a producer's kill whose task was found.
    var maybeFound = 0
    /// Enqueues under way at a producer's kill.
    var maybe = 0
    /// Task files found, by state.
    var states: [TaskState: Int] = [:]
    /// Handler runs in the run log.
    var runs = 0
    /// Attempts ended by a kill or an expired lease after their handler had started, by reason.
    var repeats: [RepeatReason: Int] = [:]
    /// Attempts ended by a kill or an expired lease before their handler started, by reason.
    var returnedBeforeRun: [RepeatReason: Int] = [:]
    /// Bad drops checked.
    var badDrops = 0

    /// The violations, one per line.
    var listing: String { violations.map(\.description).joined(separator: "\n") }
}

/// The invariants of a spool after a fault run, checked against the log of what its producers were told and
/// the log of its handler's runs (docs/RELIABILITY.md lists them).
///
/// Reads the spool only; call it once the daemons are stopped (or, for a partial check, knowing that tasks
/// may move meanwhile).
struct SpoolInvariants {
    /// Retention defaults of the spool's configuration, to check the day folders of `done/` and `dead/`.
    var doneRetention: Double = 604_800
    var deadRetention: Double = 2_592_000
    /// The spool's root.
    let root: String

    init(root: String) {
        self.root = root
    }

    /// A task file found in a state folder.
    struct FoundTask {
        /// Relative to the root.
        var path: String
        var state: TaskState
        var queue: String
        /// The id its name gives.
        var nameID: String
        /// Its content, when it parses.
        var record: TaskRecord?
    }

    /// Checks everything but I9 (see ``waitForDrain(within:)`` and ``checkIdle(pids:)``).
    func check(log: OperationLog, runs: HandlerRunLog) -> InvariantReport {
        var report = InvariantReport()
        var walk = TreeWalk(root: root, doneRetention: doneRetention, deadRetention: deadRetention)
        walk.walkStates()
        report.violations = walk.violations
        for task in walk.tasks { report.states[task.state, default: 0] += 1 }
        checkOperations(walk.tasks, log: log, into: &report)
        checkAttemptCounts(walk.tasks, log: log, into: &report)
        checkRuns(walk.tasks, runs: runs, into: &report)
        checkLeftovers(walk.tasks, into: &report)
        checkRejected(log: log, into: &report)
        report.violations.sort { ($0.invariant, $0.subject, $0.evidence) < ($1.invariant, $1.subject, $1.evidence) }
        return report
    }

    /// I6: the attempts recorded are numbered 1, 2, 3 ... in order, and no task has fewer than were seen
    /// while the load ran.
    private func checkAttemptCounts(_ tasks: [FoundTask], log: OperationLog, into report: inout InvariantReport) {
        var final: [String: Int] = [:]
        for task in tasks {
            guard let record = task.record else { continue }
            final[record.id] = max(final[record.id] ?? 0, record.attempts.count)
            let numbers = record.attempts.map(\.number)
            if numbers != (0..<numbers.count).map({ $0 + 1 }) {
                report.violations.append(
                    InvariantViolation(
                        invariant: .i6,
                        subject: record.id,
                        evidence: "\(task.path) records attempts numbered \(numbers), not 1 to \(numbers.count)"
                    )
                )
            }
        }
        // A task found nowhere is I1's to report.
        for (id, seen) in log.attemptsSeen {
            guard let count = final[id], count < seen else { continue }
            report.violations.append(
                InvariantViolation(
                    invariant: .i6,
                    subject: id,
                    evidence: "ends with \(count) attempts after \(seen) were seen while the load ran"
                )
            )
        }
        for regression in log.attemptRegressions {
            report.violations.append(
                InvariantViolation(invariant: .i6, subject: regression.id, evidence: regression.evidence)
            )
        }
    }
}
