import ArgumentParser
import SpoolCore
import SpoolSystem
import SpoolWatch

extension SpoolCtl {
    struct Tail: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Follow tasks as they move: one line per task arriving in a state, and per rejected drop.",
            discussion: """
                Watches the spool with inotify, as the daemon does, and prints the time, the state the task \
                arrived in, its queue and its id (a rejected drop: its name). A task shown in a state is not \
                shown again until it moves. Runs until interrupted, --count lines are printed, or --timeout \
                passes. A folder made while tail runs (a new queue, worker, minute or hour) is watched once it \
                appears: a task that passed through it before then is shown in its next state.
                """
        )

        @OptionGroup var global: GlobalOptions

        @Option(help: "Only tasks of this queue.")
        var queue: String?

        @Option(help: "Only arrivals in this state (repeatable), or `rejected`.")
        var state: [String] = []

        @Option(help: "Stop after this many lines (1-1000000).")
        var count: Int?

        @Option(help: "Stop after this many seconds.")
        var timeout: Double?

        func validate() throws {
            if let queue, !Names.isValidQueueName(queue) {
                throw ValidationError("--queue must match [a-z0-9_-]{1,64}")
            }
            for name in state where TaskState(rawValue: name) == nil && name != SpoolLayout.rejected {
                throw ValidationError("--state must be one of: scheduled, active, running, done, dead, rejected")
            }
            if let count, !(1...1_000_000).contains(count) { throw ValidationError("--count must be 1-1000000") }
            if let timeout, !(timeout > 0 && timeout <= 31_536_000) {
                throw ValidationError("--timeout must be between 0 and a year, in seconds")
            }
        }

        func run() async throws {
            let spool = try global.open(.readOnly)
            guard let watcher = InotifyWatcher(root: spool.root, everyArrival: true) else {
                throw SpoolError(.unsupported, "tail needs inotify, which this system does not offer")
            }
            var follower = TransitionFollower(root: spool.root, queue: queue, states: Set(state), json: global.json)
            for folder in follower.startingFolders() { _ = await watcher.watch(folder) }
            let stopper = Task {
                if let timeout { try? await Task.sleep(for: .milliseconds(Int(timeout * 1000))) } else { return }
                watcher.close()
            }
            defer {
                stopper.cancel()
                watcher.close()
            }
            var printed = 0
            for await event in watcher.events {
                switch event {
                case .arrived(let folder, let name, true):
                    // Tasks may have moved in before the watch was placed: those still there are shown.
                    let folders = follower.arrivedFolder("\(folder)/\(name)")
                    for inner in folders { _ = await watcher.watch(inner) }
                    for inner in folders { printed += follower.printFiles(in: inner) }
                case .arrived(let folder, let name, false):
                    if follower.printArrival(of: name, in: folder) { printed += 1 }
                case .rescan:
                    Output.error("spoolctl: events were lost (the watch queue overflowed); some moves are not shown")
                default:
                    break
                }
                if let count, printed >= count { break }
            }
        }
    }
}

/// What `spoolctl tail` watches and prints: which folders hold tasks, and each task's last state shown.
struct TransitionFollower {
    let root: String
    let queue: String?
    let states: Set<String>
    let json: Bool
    /// The state last shown per task, bounded: the oldest entries go first.
    private var shown: [String: String] = [:]
    private var shownOrder: [String] = []

    init(root: String, queue: String?, states: Set<String>, json: Bool) {
        self.root = root
        self.queue = queue
        self.states = states
        self.json = json
    }

    /// The depth below `<state>/` of the folders holding task files: queue, then worker, hour or day/minute.
    private static func leafDepth(_ state: String) -> Int {
        (TaskState(rawValue: state)?.depth ?? 0) + 1
    }

    /// Every folder to watch at the start: the state folders and, below them, the folders down to those
    /// holding task files.
    func startingFolders() -> [String] {
        var folders = [SpoolLayout.rejected]
        for state in TaskState.allCases.map(\.rawValue) {
            folders += tree(state, depth: Self.leafDepth(state))
        }
        return folders
    }

    /// The folders to watch for a folder that appeared: it and those below it that hold task files.
    func arrivedFolder(_ path: String) -> [String] {
        let parts = path.split(separator: "/")
        guard let state = parts.first.map(String.init), TaskState(rawValue: state) != nil,
            parts.count - 1 <= Self.leafDepth(state)
        else { return [] }
        if parts.count >= 2, let queue, parts[1] != queue { return [] }
        return tree(path, depth: Self.leafDepth(state) - (parts.count - 1))
    }

    private func tree(_ folder: String, depth: Int) -> [String] {
        var folders = [folder]
        guard depth > 0 else { return folders }
        for entry in (try? Syscall.entries(in: "\(root)/\(folder)")) ?? [] where entry.kind == .directory {
            if folder.split(separator: "/").count == 1, let queue, entry.name != queue { continue }
            folders += tree("\(folder)/\(entry.name)", depth: depth - 1)
        }
        return folders
    }

    /// Prints the task files already in `folder`, a folder that just appeared; how many were printed.
    mutating func printFiles(in folder: String) -> Int {
        var printed = 0
        for entry in (try? Syscall.entries(in: "\(root)/\(folder)")) ?? [] where entry.kind == .regular {
            if printArrival(of: entry.name, in: folder) { printed += 1 }
        }
        return printed
    }

    /// Prints the arrival of `name` in `folder` if it is a task entering a state (or a rejected drop) that
    /// the options select and that was not shown last for it; whether it printed.
    mutating func printArrival(of name: String, in folder: String) -> Bool {
        let parts = folder.split(separator: "/").map(String.init)
        guard let state = parts.first else { return false }
        if state == SpoolLayout.rejected {
            guard parts.count == 1, queue == nil, !name.hasSuffix(".reason"), states.isEmpty || states.contains(state)
            else {
                return false
            }
            return emit(state: state, queue: nil, id: nil, name: name)
        }
        guard TaskState(rawValue: state) != nil, parts.count == Self.leafDepth(state) + 1,
            states.isEmpty || states.contains(state), queue == nil || parts[1] == queue
        else { return false }
        let id: String
        if let fileName = TaskFileName(name) {
            id = fileName.id
        } else if name.hasSuffix(".json"), Names.isValidTaskID(String(name.dropLast(5))) {
            id = String(name.dropLast(5))
        } else {
            return false
        }
        guard shown[id] != state else { return false }
        if shown.updateValue(state, forKey: id) == nil {
            shownOrder.append(id)
            if shownOrder.count > 100_000 { shown[shownOrder.removeFirst()] = nil }
        }
        return emit(state: state, queue: parts[1], id: id, name: nil)
    }

    private func emit(state: String, queue: String?, id: String?, name: String?) -> Bool {
        let now = SystemClock().now.rfc3339
        if json {
            var members = [JSONMember("at", .string(now)), JSONMember("state", .string(state))]
            if let queue { members.append(JSONMember("queue", .string(queue))) }
            if let id { members.append(JSONMember("id", .string(id))) }
            if let name { members.append(JSONMember("name", .string(name))) }
            Output.jsonLine(.object(members))
        } else {
            Output.line([now, state, queue ?? "-", id ?? name ?? "-"].joined(separator: "  "))
        }
        return true
    }
}
