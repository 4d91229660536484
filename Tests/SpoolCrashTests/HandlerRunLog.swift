import SpoolTestSupport

/// One run of a task's handler, read from the run log the handler appends to.
///
/// The handler writes a start line `<id> <attempt> <pid> <start-ms> -` when it starts and an end line
/// `<id> <attempt> <pid> <start-ms> <end-ms> <exit status>` just before it exits. A run killed with its
/// process group has no end line.
struct HandlerRun: Sendable, Hashable, CustomStringConvertible {
    /// The task's id (`SPOOL_TASK_ID`).
    var id: String
    /// The attempt number the handler was given (`SPOOL_TASK_ATTEMPT`).
    var attempt: Int
    /// The handler's pid.
    var pid: Int32
    /// When it started, in Unix milliseconds.
    var start: Int64
    /// When it wrote its end line, in Unix milliseconds; `nil` when it never did.
    var end: Int64?
    /// The status it exited with; `nil` when it never wrote its end line.
    var status: Int32?

    var description: String {
        "attempt \(attempt) (pid \(pid), \(start)–\(end.map(String.init) ?? "no end")"
            + (status.map { ", exit \($0)" } ?? "") + ")"
    }
}

/// The runs of a run log, and the lines that could not be read.
struct HandlerRunLog: Sendable {
    /// Every run, in the order their start lines were written.
    var runs: [HandlerRun] = []
    /// Lines that are not start or end lines, or end lines without a start.
    var malformed: [String] = []

    /// Parses the text of a run log.
    init(text: String) {
        var index: [String: Int] = [:]
        for line in text.split(separator: "\n") {
            let fields = line.split(separator: " ").map(String.init)
            guard fields.count == 5 || fields.count == 6, let attempt = Int(fields[1]), let pid = Int32(fields[2]),
                let start = Int64(fields[3])
            else {
                malformed.append(String(line))
                continue
            }
            let key = "\(fields[0]) \(attempt) \(pid) \(start)"
            if fields[4] == "-", fields.count == 5 {
                index[key] = runs.count
                runs.append(HandlerRun(id: fields[0], attempt: attempt, pid: pid, start: start))
            } else if fields.count == 6, let end = Int64(fields[4]), let status = Int32(fields[5]),
                let position = index[key], runs[position].end == nil
            {
                runs[position].end = end
                runs[position].status = status
            } else {
                malformed.append(String(line))
            }
        }
    }

    /// Reads the run log at `path`; a missing log has no runs.
    init(path: String) {
        let bytes = (try? SpoolFiles.read(path)) ?? []
        self.init(text: String(decoding: bytes, as: UTF8.self))
    }

    /// The runs per task id, each list in start order.
    var byTask: [String: [HandlerRun]] {
        Dictionary(grouping: runs, by: \.id).mapValues { $0.sorted { ($0.start, $0.attempt) < ($1.start, $1.attempt) } }
    }
}
