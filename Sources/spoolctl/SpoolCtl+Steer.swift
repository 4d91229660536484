import ArgumentParser
import SpoolCore

extension SpoolCtl {
    struct Cancel: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Cancel tasks: waiting ones go to dead/ as cancelled; running ones are stopped, then so.",
            discussion: TaskSelection.discussion
        )

        @OptionGroup var global: GlobalOptions
        @OptionGroup var selection: TaskSelection

        static let states: [TaskState] = [.scheduled, .active, .running]

        func validate() throws {
            try selection.check(states: Cancel.states)
        }

        func run() async throws {
            let spool = try global.open(.existing)
            try selection.apply(on: spool, json: global.json, states: Cancel.states, progress: "cancelling") {
                id throws(SpoolError) in
                switch try spool.cancel(id: id) {
                case .cancelled: "cancelled"
                case .requested(let worker): "cancel requested (running on \(worker))"
                }
            }
        }
    }

    struct Retry: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Run tasks now: a scheduled one becomes due; a dead one waits again, its attempts kept and "
                + "its attempt budget fresh.",
            discussion: TaskSelection.discussion
        )

        @OptionGroup var global: GlobalOptions
        @OptionGroup var selection: TaskSelection

        func validate() throws {
            try selection.check(states: [.scheduled, .active, .dead])
        }

        func run() async throws {
            let spool = try global.open(.existing)
            try selection.apply(on: spool, json: global.json, states: [.dead], progress: "retrying") {
                id throws(SpoolError) in
                try spool.retryNow(id: id)
                return "retried"
            }
        }
    }

    struct Reschedule: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Move waiting tasks to a new due time.",
            discussion: TaskSelection.discussion
        )

        @OptionGroup var global: GlobalOptions
        @OptionGroup var selection: TaskSelection

        @Option(help: "The new due time: an RFC 3339 time (2026-01-31T09:30:00Z) or Unix seconds.")
        var at: String?

        @Option(name: .customLong("in"), help: "The new due time, in seconds from now.")
        var delay: Double?

        static let states: [TaskState] = [.scheduled, .active]

        func validate() throws {
            guard (at == nil) != (delay == nil) else { throw ValidationError("give one of --at and --in") }
            if let delay, !(0...TaskRecord.maximumDelay).contains(delay) {
                throw ValidationError("--in must be between 0 and \(Int(TaskRecord.maximumDelay)) seconds")
            }
            if let at { _ = try parseTime(at, option: "--at") }
            try selection.check(states: Reschedule.states)
        }

        func run() async throws {
            let spool = try global.open(.existing)
            let due = try at.map { try parseTime($0, option: "--at") } ?? spool.clock.now.adding(seconds: delay ?? 0)
            try selection.apply(
                on: spool,
                json: global.json,
                states: Reschedule.states,
                progress: "rescheduling",
                skipping: { $0.due == due }
            ) {
                id throws(SpoolError) in
                try spool.reschedule(id: id, to: due)
                return "rescheduled to \(due.rfc3339)"
            }
        }
    }
}

/// The tasks a steering command acts on: ids given as arguments or on standard input (`-`), or every task
/// of a queue in the given states.
struct TaskSelection: ParsableArguments {
    static let discussion = """
        Tasks are named by id, or read one id per line from standard input with `-` (as postsuper does), or \
        chosen by --queue and --state with an explicit --all (as postsuper's ALL). Each task gets one line: its \
        id and what was done; a task that could not be acted on gets a line on standard error, the others go \
        on, and the exit status says why (1 when the reasons differ).
        """

    @Argument(help: "Task ids; `-` reads them from standard input, one per line.")
    var ids: [String] = []

    @Option(help: "With --all: every task of this queue (in the states of --state).")
    var queue: String?

    @Flag(help: "Act on every task --queue and --state select: required for them, so that none is acted on by mistake.")
    var all = false

    @Option(
        help:
            "With --queue: only tasks in this state (repeatable; default: every state the command acts on, dead for retry)."
    )
    var state: [TaskState] = []

    /// Checks the selection against the states the command acts on.
    func check(states allowed: [TaskState]) throws {
        if queue == nil, !state.isEmpty { throw ValidationError("--state needs --queue") }
        if all, queue == nil { throw ValidationError("--all needs --queue") }
        if ids.isEmpty == (queue == nil) { throw ValidationError("give task ids, `-`, or --queue, but not both") }
        if queue != nil, !all { throw ValidationError("acting on every task of --queue needs --all") }
        if let queue, !Names.isValidQueueName(queue) { throw ValidationError("--queue must match [a-z0-9_-]{1,64}") }
        for chosen in state where !allowed.contains(chosen) {
            throw ValidationError(
                "--state must be one of: \(allowed.map(\.rawValue).joined(separator: ", "))"
            )
        }
        for id in ids where id != "-" && !Names.isValidTaskID(id) {
            throw ValidationError("not a task id: \(id)")
        }
    }

    /// Acts on every selected task (for --queue, in `states` unless --state is given) with `action`, which
    /// says what it did; prints a line per task, and
    /// throws at the end if any failed. `skipping` leaves out tasks of the queue already as wanted, so that a
    /// pass over a queue ends.
    func apply(
        on spool: Spool,
        json: Bool,
        states fallback: [TaskState],
        progress label: String,
        skipping: (TaskLocation) -> Bool = { _ in false },
        _ action: (String) throws(SpoolError) -> String
    ) throws {
        var failures: [Int32] = []
        let progress = Progress(label)
        if progress.isShown {
            if let queue {
                var count = 0
                spool.forEachTask(states: state.isEmpty ? fallback : state, queue: queue) { _ in
                    count += 1
                    return true
                }
                progress.total = count
            } else if !ids.contains("-") {
                progress.total = ids.count
            }
        }
        var handled = 0
        defer { progress.finish() }
        func act(_ id: String) -> Bool {
            handled += 1
            progress.update(handled)
            progress.clear()
            do {
                let done = try action(id)
                if json {
                    Output.jsonLine(.object([JSONMember("id", .string(id)), JSONMember("outcome", .string(done))]))
                } else {
                    Output.line("\(id) \(done)")
                }
                return true
            } catch {
                failures.append(ExitStatus.of(error.code))
                if json {
                    Output.jsonLine(
                        .object([JSONMember("id", .string(id)), JSONMember("error", .string(error.message))])
                    )
                }
                Output.error("spoolctl: \(error.message)")
                return false
            }
        }
        if let queue {
            // In passes of at most a batch, since acting moves tasks out of the states walked; a pass that
            // changes nothing ends it (what is left failed).
            while true {
                var batch: [String] = []
                spool.forEachTask(states: state.isEmpty ? fallback : state, queue: queue) { location in
                    if !skipping(location) { batch.append(location.id) }
                    return batch.count < TaskSelection.batchSize
                }
                if batch.isEmpty { break }
                let acted = batch.map(act).filter { $0 }.count
                if acted == 0 { break }
            }
        } else {
            for id in ids {
                if id == "-" {
                    while let line = readLine() {
                        let id = String(
                            line.drop { $0 == " " || $0 == "\t" }.reversed().drop {
                                $0 == " " || $0 == "\t" || $0 == "\r"
                            }.reversed()
                        )
                        if id.isEmpty { continue }
                        guard Names.isValidTaskID(id) else {
                            failures.append(ExitStatus.usage)
                            Output.error("spoolctl: not a task id: \(id)")
                            continue
                        }
                        _ = act(id)
                    }
                } else {
                    _ = act(id)
                }
            }
        }
        if !failures.isEmpty { throw ExitCode(ExitStatus.combined(failures)) }
    }

    /// Tasks acted on per pass over a queue.
    static let batchSize = 1000
}
