import SpoolCore
import SpoolSystem
import SpoolTestSupport

/// What the load of the power-loss tests was told had happened: the enqueues that returned, run by run, and
/// the finishes that returned. Built from the logs `spool-test-worker produce` and `work` keep outside the
/// image, read at the instant of each cut.
struct PowerLossLedger {
    /// Per producer run (its `--run` tag), the ids in the order their enqueues returned: the id at index `n`
    /// is the task whose payload is `{"run": tag, "n": n}`.
    var acknowledged: [String: [String]] = [:]
    /// Where each finished task went, `done` or `dead`, by id.
    var finished: [String: TaskState] = [:]
    /// Per producer run, how many of its enqueues may be under way at once: 1, or the size of its batches.
    var inFlight: [String: Int] = [:]

    /// Every acknowledged id, with its run and index.
    var acknowledgedIndex: [String: (run: String, n: Int)] {
        var index: [String: (run: String, n: Int)] = [:]
        for (run, ids) in acknowledged {
            for (n, id) in ids.enumerated() { index[id] = (run, n) }
        }
        return index
    }

    var acknowledgedCount: Int { acknowledged.values.reduce(0) { $0 + $1.count } }

    /// Reads the complete lines of the log at `path`; a missing log has none.
    static func lines(_ path: String) -> [String] {
        let bytes = (try? SpoolFiles.read(path)) ?? []
        let complete = bytes.last == UInt8(ascii: "\n") ? bytes : Array(bytes[..<(bytes.lastIndex(of: 10) ?? 0)])
        return complete.split(separator: UInt8(ascii: "\n")).map { String(decoding: $0, as: UTF8.self) }
    }

    /// Records the acknowledgement log of the producer run `run`, which had up to `inFlight` enqueues
    /// under way at once.
    mutating func readAcknowledged(run: String, from path: String, inFlight: Int = 1) {
        acknowledged[run] = PowerLossLedger.lines(path)
        self.inFlight[run] = inFlight
    }

    /// Adds the finishes logged in `path` (`<id> done` or `<id> dead` per line).
    mutating func readFinished(from path: String) {
        for line in PowerLossLedger.lines(path) {
            let fields = line.split(separator: " ").map(String.init)
            guard fields.count == 2, let state = TaskState(rawValue: fields[1]) else { continue }
            finished[fields[0]] = state
        }
    }
}

/// What a recovered spool holds, checked against the ledger: the durability promise of FORMAT.md section 5.
struct PowerLossCheck {
    /// A broken rule, and the task it concerns when there is one.
    struct Problem: CustomStringConvertible {
        var id: String?
        var text: String

        var description: String { text }
    }

    /// Acknowledged ids found nowhere.
    var lost: [String] = []
    /// Acknowledged ids whose task was found (once or more).
    var found = 0
    /// Tasks found that were enqueued but not yet acknowledged at the cut (at most one per producer run).
    var unacknowledged: [String] = []
    /// Everything else that breaks the promise or the one invariant, one line each.
    var problems: [Problem] = []
    /// Task files found, by state.
    var states: [TaskState: Int] = [:]
    /// The tasks found whose id was given by the producer (`<run>-<n>`), which must hold a reservation.
    private var givenIDs = Set<String>()

    /// An empty check, for a cut that could not be made.
    init() {}

    /// Reads the spool at `root` (read only) after recovery and checks it against `ledger`: every
    /// acknowledged id is present in exactly one place with content that parses and is the content enqueued;
    /// no task appears that was never enqueued; with `finishesKept` (durability `full`) every logged finish
    /// is in its `done/` or `dead/`. Also: nothing is left in `running/`, `tmp/`, `incoming/` or `rejected/`,
    /// no file in a state folder is other than a task file, and every reservation in `ids/` has its task.
    init(root: String, ledger: PowerLossLedger, finishesKept: Bool) {
        let spool: Spool
        do {
            spool = try Spool(root: root, access: .readOnly)
        } catch {
            problems.append(Problem(text: "the recovered spool does not open: \(error)"))
            return
        }
        let tasks = spool.list(limit: Int.max)
        let listed = Set(tasks.map(\.path))
        for state in SpoolInspection.stateFolders {
            for file in SpoolFiles.files(under: "\(root)/\(state)") where !listed.contains("\(state)/\(file)") {
                // A listing shows each task once: a task file not listed is a second place of a listed
                // task, or not a task file at all.
                let name = String(file.split(separator: "/").last ?? "")
                let id = TaskFileName(name)?.id ?? (name.hasSuffix(".json") ? String(name.dropLast(5)) : "")
                if Names.isValidTaskID(id), tasks.contains(where: { $0.id == id }) {
                    problems.append(Problem(id: id, text: "task \(id) is in 2 places or more: also \(state)/\(file)"))
                } else {
                    problems.append(Problem(text: "\(state)/\(file) is in a state folder but is not a task file"))
                }
            }
        }
        var places: [String: [TaskLocation]] = [:]
        var records: [String: TaskRecord] = [:]
        for location in tasks {
            places[location.id, default: []].append(location)
            states[location.state, default: 0] += 1
            do {
                records[location.path] = try spool.record(at: location)
            } catch {
                problems.append(
                    Problem(id: location.id, text: "\(location.path) does not parse (empty or torn?): \(error)")
                )
            }
        }
        for (id, locations) in places where locations.count > 1 {
            problems.append(
                Problem(id: id, text: "task \(id) is in \(locations.count) places: \(locations.map(\.path).sorted())")
            )
        }

        let acknowledged = ledger.acknowledgedIndex
        for (id, _) in acknowledged {
            if places[id] == nil { lost.append(id) } else { found += 1 }
        }
        lost.sort()
        for location in tasks {
            guard let record = records[location.path] else { continue }
            checkContent(record, at: location, acknowledged: acknowledged, ledger: ledger)
        }
        if finishesKept {
            for (id, state) in ledger.finished.sorted(by: { $0.key < $1.key }) {
                let now = places[id]?.map(\.state) ?? []
                if now != [state] {
                    problems.append(
                        Problem(id: id, text: "task \(id) finished in \(state)/ but is in \(now) after the cut")
                    )
                }
            }
        }

        for folder in [SpoolLayout.running, SpoolLayout.tmp, SpoolLayout.incoming, SpoolLayout.rejected] {
            let left = SpoolFiles.files(under: "\(root)/\(folder)")
            if !left.isEmpty { problems.append(Problem(text: "\(folder)/ holds \(left.prefix(5)) after recovery")) }
        }
        let reserved = Set(SpoolFiles.names("\(root)/\(SpoolLayout.ids)"))
        for id in reserved.sorted() where places[id] == nil {
            let text = SpoolFiles.readLink("\(root)/\(SpoolLayout.ids)/\(id)") ?? "?"
            problems.append(Problem(id: id, text: "ids/\(id) (-> \(text)) reserves an id no task has"))
        }
        for id in givenIDs.sorted() where !reserved.contains(id) {
            problems.append(
                Problem(
                    id: id,
                    text: "task \(id) has a given id but no reservation in ids/: it could be enqueued twice"
                )
            )
        }
    }

    /// Checks that a task found holds what was enqueued: type `test`, payload `{"run", "n"}` of a known run,
    /// the id acknowledged for that index, or else the one enqueue of its run in flight at the cut.
    private mutating func checkContent(
        _ record: TaskRecord,
        at location: TaskLocation,
        acknowledged: [String: (run: String, n: Int)],
        ledger: PowerLossLedger
    ) {
        guard record.type == "test", let run = record.payload["run"]?.stringValue,
            let n = record.payload["n"]?.integerValue.map(Int.init), let ids = ledger.acknowledged[run]
        else {
            problems.append(
                Problem(
                    id: location.id,
                    text: "\(location.path) holds a task never enqueued: \(record.type), \(record.payload)"
                )
            )
            return
        }
        if record.id != location.id {
            problems.append(Problem(id: location.id, text: "\(location.path) holds id \(record.id)"))
        }
        if record.createdAt == nil {
            problems.append(Problem(id: location.id, text: "\(location.path) has no created_at"))
        }
        if record.id == "\(run)-\(n)" { givenIDs.insert(record.id) }
        if let entry = acknowledged[record.id] {
            if entry.run != run || entry.n != n {
                problems.append(
                    Problem(
                        id: location.id,
                        text: "\(location.path) holds \(run) n \(n), acknowledged as \(entry.run) n \(entry.n)"
                    )
                )
            }
        } else if n >= ids.count, n < ids.count + (ledger.inFlight[run] ?? 1) {
            // An enqueue under way when the power went: it may or may not be there.
            unacknowledged.append(record.id)
        } else {
            problems.append(
                Problem(
                    id: location.id,
                    text: "\(location.path) (\(run) n \(n)) was never acknowledged, nor in flight at the cut"
                )
            )
        }
    }
}

extension PowerLossCheck {
    /// The tasks that the power loss left under more than one name, before any recovery ran: each id with
    /// its paths relative to `root`. A name is a file in a state folder (`<due>.<id>.json` or `<id>.json`),
    /// or any other name of the same file (a hard link, in `tmp/` say). Spool never makes a hard link, and
    /// never leaves a task in two places: either is a move whose old name came back.
    static func tasksWithTwoNames(root: String) -> [String: [String]] {
        var byID: [String: [String]] = [:]
        var byInode: [UInt64: [String]] = [:]
        for folder in [SpoolLayout.tmp] + SpoolInspection.stateFolders {
            for file in SpoolFiles.files(under: "\(root)/\(folder)") {
                let path = "\(folder)/\(file)"
                if folder != SpoolLayout.tmp, let id = taskID(inPath: path) { byID[id, default: []].append(path) }
                guard let status = try? Syscall.status("\(root)/\(path)", in: .currentWorkingDirectory),
                    status.kind == .regular, status.linkCount > 1
                else { continue }
                byInode[status.inode, default: []].append(path)
            }
        }
        var result = byID.filter { $0.value.count > 1 }
        for paths in byInode.values {
            for id in Set(paths.compactMap { $0.hasPrefix(SpoolLayout.tmp + "/") ? nil : taskID(inPath: $0) }) {
                result[id] = Array(Set(result[id, default: []] + paths)).sorted()
            }
        }
        return result
    }

    /// The task id a path in a state folder names (`<due>.<id>.json` or `<id>.json`), or `nil` for another.
    static func taskID(inPath path: String) -> String? {
        guard let name = path.split(separator: "/").last, name.hasSuffix(".json") else { return nil }
        let stem = name.dropLast(5)
        if let dot = stem.firstIndex(of: "."), stem[..<dot].allSatisfy(\.isNumber) {
            return String(stem[stem.index(after: dot)...])
        }
        return String(stem)
    }
}
