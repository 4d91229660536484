import SpoolCore

/// The chain a task belongs to, as its page shows it: each step with its state, the first
/// ``ChainSection/shownSteps`` of them.
struct ChainSection {
    /// Steps shown; `spoolctl chain show` lists them all.
    static let shownSteps = 50

    /// A step.
    struct Step {
        let number: Int
        let id: String
        /// Its state, empty while it is not enqueued yet. (Not optional: a template would read a missing
        /// value from the task's page around it.)
        let stepState: String
        let isEnqueued: Bool
        /// Whether it is the task of the page.
        let current: Bool
    }

    let steps: [Step]
    /// What is not shown, when the chain is longer.
    let moreSteps: String?

    /// The chain of the task `record` at `location`: from the chain's first task while it is kept (a later
    /// step names it as its `workflow`), else from the task itself; `nil` for a task that is in no chain
    /// or its last step once the first is gone.
    init?(of record: TaskRecord, at location: TaskLocation, in spool: Spool) {
        var ids: [String] = []
        if record.parent != nil, let first = record.workflow, let found = spool.find(id: first),
            let head = try? spool.record(at: found)
        {
            ids = [first] + WorkflowTemplate.ids(of: head.onSuccess)
        }
        // An on_failure step, a step after a group, or a chain whose first task is gone: from this task.
        if !ids.contains(record.id) {
            guard record.onSuccess != nil else { return nil }
            ids = [record.id] + WorkflowTemplate.ids(of: record.onSuccess)
        }
        steps = ids.prefix(Self.shownSteps).enumerated().map { offset, id in
            let current = id == record.id
            let state = current ? location.state : spool.find(id: id)?.state
            return Step(
                number: offset + 1,
                id: id,
                stepState: state?.rawValue ?? "",
                isEnqueued: state != nil,
                current: current
            )
        }
        moreSteps = ids.count > Self.shownSteps ? "\(ids.count - Self.shownSteps) more steps" : nil
    }
}
