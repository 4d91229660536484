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

    /// The chain of the task `record`: from the chain's first task while it is kept (a later step names it
    /// as its `workflow`), else from the task itself; `nil` for a task that is in no chain, or for its last
    /// step once the first is gone.
    init?(of record: TaskRecord, in spool: Spool) {
        var chain: [ChainStepStatus] = []
        if record.parent != nil, let first = record.workflow, let steps = try? spool.chain(id: first) {
            chain = steps
        }
        // An on_failure step, a step after a group, or a chain whose first task is gone: from this task.
        if !chain.contains(where: { $0.id == record.id }) {
            guard record.onSuccess != nil, let steps = try? spool.chain(id: record.id) else { return nil }
            chain = steps
        }
        steps = chain.prefix(Self.shownSteps).enumerated().map { offset, step in
            Step(
                number: offset + 1,
                id: step.id,
                stepState: step.state?.rawValue ?? "",
                isEnqueued: step.state != nil,
                current: step.id == record.id
            )
        }
        moreSteps = chain.count > Self.shownSteps ? "\(chain.count - Self.shownSteps) more steps" : nil
    }
}
