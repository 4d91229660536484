import SpoolSystem
import SpoolTestSupport

@testable import SpoolCore

/// What a group kill run left: the callback's tasks and runs, for the summary, and what breaks the group's
/// promises.
struct GroupOutcome: Sendable {
    /// Tasks found in the callback's queue (one, the callback, if all is well).
    var callbacks = 0
    /// Runs of the callback's handler, killed ones included.
    var callbackRuns = 0
    /// Runs of the callback's handler that ended with exit status 0.
    var callbackSuccesses = 0
    /// Members with a `done` result marker.
    var markers = 0
    /// Broken promises, one line each.
    var problems: [String] = []
}

extension GroupKillRun {
    /// The group's promises once the daemons stopped: every member has its `done` result marker and the
    /// folder holds nothing else but the manifest (no callback left to take, none taken and left, no
    /// unplaced member); the callback is one task, in `done/`, the only task of its queue, enqueued within
    /// ``GroupKillRun/callbackDelay`` of the last member's finish, whose payload holds every member's stored
    /// result in member order; and its handler ran once, to success (with `killed`, at least once to
    /// success).
    func checkGroup(killed: Bool) -> GroupOutcome {
        var outcome = GroupOutcome()
        guard let reader = try? Spool(root: spool.root, access: .readOnly), let callbackID = receipt.callback.first
        else {
            outcome.problems.append("the spool cannot be read, or the group has no callback")
            return outcome
        }
        guard let status = try? reader.group(id: receipt.id) else {
            outcome.problems.append("group \(receipt.id) is gone")
            return outcome
        }
        outcome.markers = status.succeeded
        let count = GroupKillRun.memberCount
        if status.succeeded != count { outcome.problems.append("\(status.succeeded) of \(count) members succeeded") }
        if status.callback != .enqueued { outcome.problems.append("the callback is \(status.callback), not enqueued") }
        let expected = Set([GroupLayout.manifest] + (0..<count).map { GroupLayout.result($0, state: .done) })
        let entries = Set(SpoolFiles.names("\(spool.root)/\(GroupLayout.folder(receipt.id))"))
        if entries != expected {
            outcome.problems.append(
                "the group's folder holds \(entries.subtracting(expected).sorted()) too and lacks "
                    + "\(expected.subtracting(entries).sorted().prefix(10))"
            )
        }

        let tasks = reader.list(limit: Int.max)
        let callbacks = tasks.filter { $0.queue == GroupKillRun.callbackQueue }
        outcome.callbacks = callbacks.count
        if callbacks.map(\.id) != [callbackID] || callbacks.first?.state != .done {
            outcome.problems.append(
                "the callback's queue holds \(callbacks.map(\.path)), expected \(callbackID) once, in done/"
            )
        }
        var places: [String: TaskLocation] = [:]
        for task in tasks where task.queue == GroupKillRun.memberQueue { places[task.id] = task }
        var results: [JSONValue] = []
        var lastFinish = Timestamp(milliseconds: 0)
        for (index, id) in receipt.members.enumerated() {
            guard let place = places[id], place.state == .done, let record = try? reader.record(at: place) else {
                outcome.problems.append("member \(index) (\(id)) is not in done/")
                results.append(.null)
                continue
            }
            results.append(record.result ?? .null)
            lastFinish = max(lastFinish, record.finishedAt ?? lastFinish)
        }
        if let callback = callbacks.first, let record = try? reader.record(at: callback) {
            if record.payload["group_results"] != .array(results) {
                outcome.problems.append("the callback's group_results are not the members' results in member order")
            }
            // The process that records the last result enqueues the callback (or, killed, the janitor of
            // the worker started again): it is not left to a janitor's pass once a minute.
            let created = record.createdAt ?? lastFinish
            if Double(created.milliseconds - lastFinish.milliseconds) > GroupKillRun.callbackDelay * 1000 {
                outcome.problems.append(
                    "the callback was enqueued at \(created), the last member finished at \(lastFinish)"
                )
            }
        }
        let runs = HandlerRunLog(path: spool.runLog).byTask[callbackID] ?? []
        outcome.callbackRuns = runs.count
        outcome.callbackSuccesses = runs.count { $0.status == 0 }
        // A worker killed after its handler succeeded, before the finish was recorded, runs it again (the
        // kill tests' I3 checks that such a run is counted): only without kills is one run the rule.
        let allowed = killed ? 1...max(1, runs.count) : 1...1
        if !allowed.contains(outcome.callbackSuccesses) || (!killed && runs.count != 1) {
            outcome.problems.append(
                "the callback's handler ran \(runs.count) times, \(outcome.callbackSuccesses) of them to success: "
                    + runs.map(\.description).joined(separator: ", ")
            )
        }
        return outcome
    }
}
