import SpoolSystem
import SpoolTestSupport

@testable import SpoolCore

#if canImport(Glibc)
@preconcurrency import Glibc
#elseif canImport(Musl)
@preconcurrency import Musl
#endif

extension WorkflowCrashScenario {
    /// When a check runs.
    enum Stage: String {
        /// After the janitor's pass at start, before anything else touched the spool.
        case recovered = "after the janitor"
        /// After every waiting task was claimed and finished (``drive(_:)``).
        case driven = "driven to the end"
    }

    /// What breaks the scenario's invariant at `stage`, one line each: first what holds for any spool at rest
    /// (``SpoolInspection``: every task in one place and whole, `tmp/` and `running/` empty, every `ids/`
    /// reservation held by a task), then the workflow's own rule: the step that follows a finish exists
    /// exactly once if and only if the finish was recorded, and a group exists whole or not at all.
    func check(_ spool: Spool, root: String, child: pid_t, fixture: Fixture, crashed: Bool, stage: Stage)
        -> [String]
    {
        let inspection = SpoolInspection(spool: spool, root: root, child: child)
        var problems = inspection.problems
        switch self {
        case .chainOnSuccess, .chainOnFailure:
            problems += checkChain(inspection, root: root, fixture: fixture, crashed: crashed, stage: stage)
        case .groupComplete:
            problems += checkGroup(spool, inspection, root: root, fixture: fixture, crashed: crashed, stage: stage)
        case .groupCreate:
            if spool.groupIDs().isEmpty {
                if !crashed || stage == .driven { problems.append("there is no group") }
                if !inspection.tasks.isEmpty {
                    problems.append("no group, yet tasks \(inspection.tasks.map(\.path)) exist")
                }
                let reserved = SpoolFiles.names("\(root)/\(SpoolLayout.ids)")
                if !reserved.isEmpty { problems.append("no group, yet ids/ reserves \(reserved)") }
            } else {
                // The enqueue of a group completes it only when its members finish.
                problems += checkGroup(spool, inspection, root: root, fixture: fixture, crashed: true, stage: stage)
            }
        }
        return problems.map { "\(stage.rawValue): \($0)" }
    }

    /// A chain: its first task is in one place, finished or waiting again (its lease returned); its next
    /// step exists once if the first task is finished, else not at all, and carries the result or failure.
    private func checkChain(
        _ inspection: SpoolInspection,
        root: String,
        fixture: Fixture,
        crashed: Bool,
        stage: Stage
    ) -> [String] {
        // Without a crash the finish completed; once driven, whatever waited has run.
        let mustHaveFinished = !crashed || stage == .driven
        guard let parentID = fixture.finishing, let nextID = fixture.follower else {
            return ["the set-up found no ids for the chain"]
        }
        guard let parent = inspection.locations(of: parentID).first else {
            return ["the chain's first task \(parentID) is lost"]
        }
        var problems: [String] = []
        let finished = parent.state == finishedState
        if !finished && parent.state != .active && parent.state != .scheduled {
            problems.append("the first task is in \(parent.state)/, neither finished nor waiting again")
        }
        if mustHaveFinished && !finished {
            problems.append("the first task is in \(parent.state)/, expected \(finishedState)/")
        }
        let next = inspection.locations(of: nextID)
        let copies = SpoolInspection.files(of: nextID, in: root)
        if copies.count != (finished ? 1 : 0) {
            problems.append(
                "the next step \(nextID) exists \(copies.count) times (\(copies)) while the first task is in "
                    + "\(parent.state)/"
            )
        }
        if stage == .driven, let step = next.first, step.state != .done {
            problems.append("the next step is in \(step.state)/, expected done/")
        }
        if let step = next.first, let record = inspection.records[step.path] {
            if record.parent != parentID || record.workflow != parentID {
                problems.append(
                    "the next step names parent \(record.parent ?? "none"), workflow \(record.workflow ?? "none")"
                )
            }
            let passed =
                self == .chainOnSuccess ? record.payload["parent_result"] : record.payload["parent_error"]?["id"]
            if passed != (self == .chainOnSuccess ? WorkflowCrashScenario.result : .string(parentID)) {
                problems.append("the next step's payload \(record.payload) does not carry what its parent left")
            }
        }
        return problems
    }

    /// A group: every member in one place, finished or waiting; a result marker for each finished member and
    /// for no other; the callback exists once if every member is done, else not at all (and then it still
    /// waits in `callback.json`), with every member's result in member order; nothing left half done in the
    /// group's folder.
    private func checkGroup(
        _ spool: Spool,
        _ inspection: SpoolInspection,
        root: String,
        fixture: Fixture,
        crashed: Bool,
        stage: Stage
    ) -> [String] {
        let mustBeComplete = !crashed || stage == .driven
        guard let status = try? spool.group(id: WorkflowCrashScenario.groupID) else {
            return ["group \(WorkflowCrashScenario.groupID) is gone"]
        }
        var problems: [String] = []
        let manifest = status.manifest
        var results: [JSONValue] = []
        var markers: Set<String> = []
        var allDone = true
        var done = 0
        for (index, id) in manifest.members.enumerated() {
            let places = inspection.locations(of: id)
            guard let member = places.first else {
                problems.append("member \(index) (\(id)) is lost")
                allDone = false
                continue
            }
            if member.state == .done {
                done += 1
                markers.insert(GroupLayout.result(index, state: .done))
            } else {
                allDone = false
                if member.state != .active && member.state != .scheduled {
                    problems.append("member \(index) is in \(member.state)/, neither done nor waiting")
                }
            }
            results.append(fixture.earlier[id] ?? WorkflowCrashScenario.result)
        }
        if mustBeComplete && !allDone { problems.append("not every member is in done/") }
        let entries = Set(SpoolFiles.names("\(root)/\(GroupLayout.folder(manifest.id))"))
        let found = entries.filter { GroupLayout.parseResult($0) != nil }
        if found != markers {
            problems.append("the group's result markers are \(found.sorted()), expected \(markers.sorted())")
        }
        if let left = entries.first(where: { GroupLayout.parseMember($0) != nil }) {
            problems.append("member file \(left) is left in the group's folder")
        }
        if let taken = entries.first(where: { GroupLayout.takerOfCallback($0) != nil }) {
            problems.append("the callback taken as \(taken) is left in the group's folder")
        }
        guard let callbackID = manifest.callback else { return problems + ["the group has no callback"] }
        let callbacks = inspection.locations(of: callbackID)
        let copies = SpoolInspection.files(of: callbackID, in: root)
        if copies.count != (allDone ? 1 : 0) {
            problems.append(
                "the callback \(callbackID) exists \(copies.count) times (\(copies)) while \(done) of "
                    + "\(manifest.members.count) members are in done/"
            )
        }
        if entries.contains(GroupLayout.callback) != callbacks.isEmpty {
            problems.append(
                "callback.json is \(callbacks.isEmpty ? "gone" : "still there") and the callback exists \(callbacks.count) times"
            )
        }
        if stage == .driven, let callback = callbacks.first, callback.state != .done {
            problems.append("the callback is in \(callback.state)/, expected done/")
        }
        if let callback = callbacks.first, let record = inspection.records[callback.path],
            record.payload != .array(results)
        {
            problems.append("the callback's payload is \(record.payload), expected \(JSONValue.array(results))")
        }
        return problems
    }
}

extension SpoolInspection {
    /// Where task `id` was found: once, if all is well.
    func locations(of id: String) -> [TaskLocation] {
        tasks.filter { $0.id == id }
    }

    /// The files of the state folders named for task `id` (`<due>.<id>.json`, or `<id>.json` when
    /// finished), read from the folders themselves: a listing of the spool shows an id once.
    static func files(of id: String, in root: String) -> [String] {
        SpoolInspection.stateFolders.flatMap { state in
            SpoolFiles.files(under: "\(root)/\(state)").filter {
                $0.hasSuffix("/\(id).json") || $0.hasSuffix(".\(id).json")
            }
            .map { "\(state)/\($0)" }
        }
    }
}
