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
        let parts = name.split(separator: ".")
        guard parts.count == 4, parts[0] == "r", parts[3] == "json", let index = Int(parts[1]), index >= 0,
            let state = TaskState(rawValue: String(parts[2])), state == .done || state == .dead
        else { return nil }
        return (index, state)
    }

    /// The index of an unplaced member's name.
    static func parseMember(_ name: String) -> Int? {
        let parts = name.split(separator: ".")
        guard parts.count == 3, parts[0] == "m", parts[2] == "json", let index = Int(parts[1]) else { return nil }
        return index
    }
}
