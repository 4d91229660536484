extension TaskRecord {
    /// The largest group, in members: each member lists its group's folder once as it finishes, so a
    /// group costs in the square of its size (a group of groups goes further: a callback may enqueue one).
    public static let maximumGroupSize = 10_000

    /// Reads the workflow fields: `on_success` and `on_failure` (see ``WorkflowTemplate``), `pass_result`,
    /// and what Spool writes, `parent`, `workflow`, `group` and `group_index`.
    mutating func readWorkflow(
        _ fields: inout FieldReader,
        now: Timestamp,
        makeID: () -> String
    ) throws(TaskValidationError) {
        if let value = fields.take("on_success") {
            onSuccess = .array(try WorkflowTemplate.steps(of: value, field: "on_success", now: now, makeID: makeID))
        }
        if let value = fields.take("on_failure") {
            onFailure = .array(try WorkflowTemplate.steps(of: value, field: "on_failure", now: now, makeID: makeID))
        }
        if let value = fields.take("pass_result") {
            guard case .bool(let flag) = value else {
                throw TaskValidationError("pass_result: must be true or false, not \(value.kindName)")
            }
            passResult = flag
        }
        for (key, path) in [("parent", \TaskRecord.parent), ("workflow", \.workflow), ("group", \.group)] {
            guard let id = try fields.string(key, maxLength: 64) else { continue }
            guard Names.isValidTaskID(id) else { throw TaskValidationError("\(key): must match [A-Za-z0-9_-]{1,64}") }
            self[keyPath: path] = id
        }
        groupIndex = try fields.integer("group_index", in: 0...Int64(TaskRecord.maximumGroupSize - 1)).map { Int($0) }
        if (group == nil) != (groupIndex == nil) {
            throw TaskValidationError("group_index: group and group_index go together")
        }
    }

    /// Whether finishing the task does more than move its file: it enqueues a next task, or tells its group.
    var hasFollowUps: Bool { onSuccess != nil || onFailure != nil || group != nil }
}
