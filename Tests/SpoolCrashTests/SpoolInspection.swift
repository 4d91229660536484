import SpoolCore
import SpoolSystem
import SpoolTestSupport

#if canImport(Glibc)
@preconcurrency import Glibc
#elseif canImport(Musl)
@preconcurrency import Musl
#endif

/// Every entry below a spool's root with what identifies its content, to tell whether anything changed.
struct SpoolSnapshot: Equatable {
    /// Path relative to the root → "dir", "file <inode> <bytes>" or "link <text>".
    var entries: [String: String]

    init(_ root: String) {
        var entries: [String: String] = [:]
        func walk(_ relative: String) {
            let full = relative.isEmpty ? root : "\(root)/\(relative)"
            for entry in (try? Syscall.entries(in: full)) ?? [] {
                let child = relative.isEmpty ? entry.name : "\(relative)/\(entry.name)"
                let path = "\(root)/\(child)"
                switch entry.kind {
                case .directory:
                    entries[child] = "dir"
                    walk(child)
                case .symlink:
                    entries[child] = "link \(SpoolFiles.readLink(path) ?? "?")"
                default:
                    let inode = (try? Syscall.status(path, in: .currentWorkingDirectory))?.inode ?? 0
                    let bytes = (try? SpoolFiles.read(path)) ?? []
                    entries[child] = "file \(inode) \(String(decoding: bytes, as: UTF8.self))"
                }
            }
        }
        walk("")
        self.entries = entries
    }

    /// The paths whose entry differs between `self` and `other`.
    func differences(from other: SpoolSnapshot) -> [String] {
        Set(entries.keys).union(other.entries.keys).filter { entries[$0] != other.entries[$0] }.sorted()
    }
}

/// What a spool holds, read back after recovery, with everything that breaks the one invariant.
struct SpoolInspection {
    /// Every task file found, by `Spool.list`.
    var tasks: [TaskLocation] = []
    /// The parsed content of each task file, by path.
    var records: [String: TaskRecord] = [:]
    /// Broken rules, one line each.
    var problems: [String] = []

    /// The task states whose folders hold task files.
    static let stateFolders = [
        SpoolLayout.active, SpoolLayout.scheduled, SpoolLayout.running, SpoolLayout.done, SpoolLayout.dead,
    ]

    /// Reads every task of the spool at `root` and checks what holds for any spool at rest: every file in a
    /// state folder is a task file that parses completely, no id is in two places, no file of `child`
    /// (host and pid) is left in `tmp/` or `running/`, and every id reservation belongs to a task that exists.
    init(spool: Spool, root: String, child: pid_t) {
        tasks = spool.list(limit: Int.max)
        let listed = Set(tasks.map(\.path))
        for state in SpoolInspection.stateFolders {
            for file in SpoolFiles.files(under: "\(root)/\(state)") where !listed.contains("\(state)/\(file)") {
                problems.append("\(state)/\(file) is in a state folder but is not a task file")
            }
        }
        var places: [String: [String]] = [:]
        for location in tasks {
            places[location.id, default: []].append(location.path)
            do {
                let record = try spool.record(at: location)
                records[location.path] = record
                if record.id != location.id { problems.append("\(location.path) holds id \(record.id)") }
                if record.queue != location.queue { problems.append("\(location.path) holds queue \(record.queue)") }
            } catch {
                problems.append("\(location.path) does not parse: \(error)")
            }
        }
        for (id, paths) in places where paths.count > 1 {
            problems.append("task \(id) is in \(paths.count) places: \(paths.sorted().joined(separator: ", "))")
        }
        let host = WorkerName.current.host
        let childMark = "\(host).\(child)."
        let staged = SpoolFiles.names("\(root)/\(SpoolLayout.tmp)")
        let childStaged = staged.filter { $0.contains(childMark) }
        if !childStaged.isEmpty {
            problems.append("tmp/ still holds files of the dead child: \(childStaged.joined(separator: ", "))")
        }
        if staged.count > childStaged.count {
            problems.append("tmp/ is not empty: \(staged.filter { !$0.contains(childMark) }.joined(separator: ", "))")
        }
        let running = SpoolFiles.files(under: "\(root)/\(SpoolLayout.running)")
        if !running.isEmpty {
            problems.append("running/ still holds \(running.joined(separator: ", ")) after the janitor")
        }
        for queue in SpoolFiles.names("\(root)/\(SpoolLayout.running)") {
            for worker in SpoolFiles.names("\(root)/\(SpoolLayout.running)/\(queue)") where worker.hasPrefix(childMark)
            {
                problems.append("running/\(queue)/\(worker) of the dead child is still there")
            }
        }
        for id in SpoolFiles.names("\(root)/\(SpoolLayout.ids)") where places[id] == nil {
            let text = SpoolFiles.readLink("\(root)/\(SpoolLayout.ids)/\(id)") ?? "?"
            problems.append(
                "ids/\(id) (-> \(text)) reserves an id no task has: an enqueue of \(id) is now refused forever"
            )
        }
    }

    /// The records of all tasks found.
    var allRecords: [TaskRecord] { tasks.compactMap { records[$0.path] } }
}
