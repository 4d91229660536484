/// The names inside `groups/<id>/`, the folder of one group (docs/FORMAT.md, "Workflows").
enum GroupLayout {
    /// `groups`: one folder per group.
    static let groups = "groups"
    /// `group.json`: the group's manifest, written once.
    static let manifest = "group.json"
    /// `callback.json`: the callback's steps, waiting for the group to complete. Taken by one rename when it
    /// does, so that it runs once.
    static let callback = "callback.json"
    /// `callback.refused.json`: the callback could not be enqueued, its id being in use by another task.
    static let refusedCallback = "callback.refused.json"
    /// `cancelled`: the group was cancelled; its callback will not run.
    static let cancelled = "cancelled"

    /// `groups/<id>`.
    static func folder(_ id: String) -> String { "\(groups)/\(id)" }

    /// `callback.<worker>.json`: the callback taken by `worker` to be enqueued.
    static func takenCallback(by worker: WorkerName) -> String { "callback.\(worker).json" }

    /// The worker that took the callback named `name`, if it is a taken callback's name.
    static func takerOfCallback(_ name: String) -> WorkerName? {
        guard name.hasPrefix("callback."), name.hasSuffix(".json"), name != callback else { return nil }
        return WorkerName(String(name.dropFirst("callback.".count).dropLast(".json".count)))
    }

    /// `m.<index>.json`: a member not yet placed in its queue.
    static func member(_ index: Int) -> String { "m.\(index).json" }

    /// `r.<index>.<state>.json`: member `index` finished in `done/` or `dead/`, with its result or error.
    static func result(_ index: Int, state: TaskState) -> String { "r.\(index).\(state.rawValue).json" }

    /// The member index and state of a result marker's name.
    static func parseResult(_ name: String) -> (index: Int, state: TaskState)? {
        var name = name
        return name.withUTF8 { parseResult(bytes: $0) }.map { ($0.index, $0.done ? TaskState.done : .dead) }
    }

    /// The member index of a result marker's name given as bytes, and whether it says `done`; without a
    /// string per name.
    static func parseResult(bytes name: UnsafeBufferPointer<UInt8>) -> (index: Int, done: Bool)? {
        // r.<index>.done.json or r.<index>.dead.json
        guard name.count >= 13, name[0] == 0x72, name[1] == 0x2E else { return nil }
        var index = 0
        var position = 2
        while position < name.count, (0x30...0x39).contains(name[position]) {
            guard position < 9 else { return nil }
            index = index * 10 + Int(name[position] - 0x30)
            position += 1
        }
        guard position > 2, name.count == position + 10 else { return nil }
        let rest = name[(position)...]
        if rest.elementsEqual(".done.json".utf8) { return (index, true) }
        if rest.elementsEqual(".dead.json".utf8) { return (index, false) }
        return nil
    }

    /// The index of an unplaced member's name.
    static func parseMember(_ name: String) -> Int? {
        let parts = name.split(separator: ".")
        guard parts.count == 3, parts[0] == "m", parts[2] == "json", let index = Int(parts[1]) else { return nil }
        return index
    }
}
