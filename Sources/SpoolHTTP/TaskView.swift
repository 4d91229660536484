import SpoolCore

/// How the API shows a task: what a client needs to know of it, not the file it is kept in.
enum TaskView {
    /// The whole task: where it stands, its payload, its attempts and its outcome.
    static func detail(_ location: TaskLocation, _ record: TaskRecord) -> JSONValue {
        var members = summaryMembers(location, record)
        members.append(JSONMember("payload", record.payload))
        if let maxAttempts = record.maxAttempts {
            members.append(JSONMember("max_attempts", .integer(Int64(maxAttempts))))
        }
        if let timeout = record.timeout { members.append(JSONMember("timeout_s", .double(timeout))) }
        if let deadline = record.deadline { members.append(JSONMember("deadline", .string(deadline.rfc3339))) }
        if let key = record.key { members.append(JSONMember("key", .string(key))) }
        if let uniqueKey = record.uniqueKey { members.append(JSONMember("unique_key", .string(uniqueKey))) }
        members += workflowMembers(record)
        if let reason = record.stateReason { members.append(JSONMember("reason", .string(reason))) }
        if location.state == .done { members.append(JSONMember("result", record.result ?? .null)) }
        members.append(
            JSONMember(
                "attempt_history",
                .array(
                    record.attempts.map { attempt in
                        var fields = [JSONMember("number", .integer(Int64(attempt.number)))]
                        if let started = attempt.startedAt {
                            fields.append(JSONMember("started_at", .string(started.rfc3339)))
                        }
                        fields.append(JSONMember("finished_at", .string(attempt.finishedAt.rfc3339)))
                        if let worker = attempt.worker { fields.append(JSONMember("worker", .string(worker))) }
                        fields.append(JSONMember("error", .string(attempt.error)))
                        return .object(fields)
                    }
                )
            )
        )
        return .object(members)
    }

    /// A line of a listing: where the task stands; its type, attempts, last error and times when its file
    /// could be read (it may have moved on meanwhile).
    static func summary(_ location: TaskLocation, _ record: TaskRecord?) -> JSONValue {
        guard let record else {
            var members = [
                JSONMember("id", .string(location.id)), JSONMember("queue", .string(location.queue)),
                JSONMember("state", .string(location.state.rawValue)),
            ]
            if let due = location.due { members.append(JSONMember("due", .string(due.rfc3339))) }
            return .object(members)
        }
        return .object(summaryMembers(location, record))
    }

    /// Where the task stands in a workflow: `parent`, `workflow`, `group` and `group_index` as its file
    /// has them, and `on_success_ids`, the steps that follow it.
    private static func workflowMembers(_ record: TaskRecord) -> [JSONMember] {
        var members: [JSONMember] = []
        if let parent = record.parent { members.append(JSONMember("parent", .string(parent))) }
        if let workflow = record.workflow { members.append(JSONMember("workflow", .string(workflow))) }
        if let group = record.group { members.append(JSONMember("group", .string(group))) }
        if let index = record.groupIndex { members.append(JSONMember("group_index", .integer(index))) }
        let next = WorkflowTemplate.ids(of: record.onSuccess)
        if !next.isEmpty { members.append(JSONMember("on_success_ids", .array(next.map { .string($0) }))) }
        return members
    }

    private static func summaryMembers(_ location: TaskLocation, _ record: TaskRecord) -> [JSONMember] {
        var members = [
            JSONMember("id", .string(location.id)), JSONMember("queue", .string(location.queue)),
            JSONMember("state", .string(location.state.rawValue)), JSONMember("type", .string(record.type)),
        ]
        if let due = location.due { members.append(JSONMember("due", .string(due.rfc3339))) }
        members.append(JSONMember("attempts", .integer(Int64(record.attempts.count))))
        if let error = record.stateReason ?? record.attempts.last?.error {
            members.append(JSONMember("last_error", .string(error)))
        }
        if let created = record.createdAt { members.append(JSONMember("created_at", .string(created.rfc3339))) }
        if let finished = record.finishedAt { members.append(JSONMember("finished_at", .string(finished.rfc3339))) }
        return members
    }
}
