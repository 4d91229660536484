/// The task templates of a workflow: what a task's `on_success` and `on_failure` hold.
///
/// A producer writes either one task object (which may carry its own `on_success`, nested to any depth) or a
/// list of task objects, a chain, each run when the one before it succeeded. Spool stores both the same way: a
/// list of steps, the first to enqueue and the rest as its `on_success`, so that a long chain does not nest
/// deeper in the file. Each step is checked by the rules of a task file when the task carrying it is
/// accepted, and gets its id then (a ULID unless the producer gave one), so the ids of a whole chain are
/// known from the start.
public enum WorkflowTemplate {
    /// The most steps one `on_success` or `on_failure` list may hold.
    public static let maximumSteps = 10_000

    /// Fields Spool writes, which a template may not set.
    static let writtenFields: Set<String> = [
        "created_at", "attempts", "attempt_budget_start", "result", "finished_at", "state_reason", "parent",
        "workflow", "group", "group_index", "cron",
    ]
    /// Fields a workflow step cannot use: a unique key is held from the enqueue on, and a step is enqueued
    /// later by Spool itself, where a refusal could reach no one; a `delete_at` would delete a step without
    /// a finish, leaving its chain or group waiting for ever.
    static let unsupportedFields: Set<String> = ["unique_key", "unique_for", "delete_at"]

    /// The steps of `value`, the content of `field`, checked and in stored form: each step an object with
    /// its `id`, its own `on_failure` as a list, and no `on_success` (the steps after it follow in the list).
    ///
    /// - Parameters:
    ///   - depth: How many `on_failure` lists enclose this one; bounded so that the file stays readable.
    static func steps(
        of value: JSONValue,
        field: String,
        now: Timestamp,
        makeID: () -> String,
        depth: Int = 0
    ) throws(TaskValidationError) -> [JSONValue] {
        guard depth < 8 else { throw TaskValidationError("\(field): on_failure nested more than 8 deep") }
        let given: [JSONValue]
        switch value {
        case .object: given = [value]
        case .array(let elements) where !elements.isEmpty: given = elements
        default: throw TaskValidationError("\(field): must be a task object or a non-empty list of them")
        }
        var result: [JSONValue] = []
        var pending = given[...]
        var position = 0
        while let step = pending.popFirst() {
            position += 1
            guard result.count < maximumSteps else {
                throw TaskValidationError("\(field): more than \(maximumSteps) steps")
            }
            guard case .object(var members) = step else {
                throw TaskValidationError("\(field): step \(position) must be a task object, not \(step.kindName)")
            }
            func fail(_ error: TaskValidationError) -> TaskValidationError {
                TaskValidationError("\(field): step \(position): \(error.reason)")
            }
            if let index = members.firstIndex(where: { $0.key == "on_success" }) {
                guard pending.isEmpty else {
                    throw fail(TaskValidationError("on_success: only the last step of a list may have its own"))
                }
                let next = members.remove(at: index).value
                switch next {
                case .object: pending.append(next)
                case .array(let elements) where !elements.isEmpty: pending.append(contentsOf: elements)
                default:
                    throw fail(TaskValidationError("on_success: must be a task object or a non-empty list of them"))
                }
            }
            var failure: [JSONValue]?
            if let index = members.firstIndex(where: { $0.key == "on_failure" }) {
                let value = members.remove(at: index).value
                do {
                    failure = try steps(of: value, field: "on_failure", now: now, makeID: makeID, depth: depth + 1)
                } catch {
                    throw fail(error)
                }
            }
            if let written = members.first(where: { writtenFields.contains($0.key) }) {
                throw fail(TaskValidationError("\(written.key): written by Spool, not allowed in a workflow step"))
            }
            if let unsupported = members.first(where: { unsupportedFields.contains($0.key) }) {
                throw fail(TaskValidationError("\(unsupported.key): not supported in a workflow step"))
            }
            let record: TaskRecord
            do {
                record = try TaskRecord(json: .object(members), now: now, makeID: makeID)
            } catch {
                throw fail(error)
            }
            if !members.contains(where: { $0.key == "id" }) {
                members.insert(JSONMember("id", .string(record.id)), at: 0)
            }
            if let failure { members.append(JSONMember("on_failure", .array(failure))) }
            result.append(.object(members))
        }
        return result
    }

    /// The task that stored `steps` start: the first step, in `queue` unless it names its own, with the rest
    /// of the steps as its `on_success`. A `delay` counts from `now`.
    static func task(
        from steps: [JSONValue],
        queue: String,
        now: Timestamp,
        makeID: () -> String
    ) throws(TaskValidationError) -> TaskRecord {
        guard let first = steps.first, case .object(var members) = first else {
            throw TaskValidationError("a workflow step must be a task object")
        }
        if !members.contains(where: { $0.key == "queue" }) { members.append(JSONMember("queue", .string(queue))) }
        var task = try TaskRecord(json: .object(members), now: now, makeID: makeID)
        if steps.count > 1 { task.onSuccess = .array(Array(steps.dropFirst())) }
        return task
    }

    /// A chain document, `{"chain": [task, task, ...]}`, as its first task with the others as its
    /// `on_success`; any other value as it is.
    static func expandingChain(_ value: JSONValue) throws(TaskValidationError) -> JSONValue {
        guard case .object(let members) = value, let chain = value["chain"], value["type"] == nil else { return value }
        if let other = members.first(where: { $0.key != "chain" }) {
            throw TaskValidationError(
                "chain: a chain document holds only \"chain\", a list of tasks, not \(JSONWriter.quoted(other.key, limit: 64))"
            )
        }
        guard case .array(let steps) = chain, let first = steps.first else {
            throw TaskValidationError("chain: must be a non-empty list of tasks")
        }
        guard case .object(var head) = first else {
            throw TaskValidationError("chain: step 1 must be a task object, not \(first.kindName)")
        }
        guard steps.count > 1 else { return first }
        if head.contains(where: { $0.key == "on_success" }) {
            throw TaskValidationError("chain: step 1: on_success: only the last step of a chain may have its own")
        }
        head.append(JSONMember("on_success", .array(Array(steps.dropFirst()))))
        return .object(head)
    }

    /// The ids of a chain's steps, in order: the steps of `onSuccess`, as stored.
    public static func ids(of steps: JSONValue?) -> [String] {
        (steps?.arrayValue ?? []).compactMap { $0["id"]?.stringValue }
    }

    /// `payload` with `value` passed in: appended to an array (as Machinery appends a result to the next
    /// task's arguments), as the only element of a `null` payload, or as the member `key` of an object. Any
    /// other payload is left as it is.
    static func passing(_ value: JSONValue, as key: String, into payload: JSONValue) -> JSONValue {
        switch payload {
        case .null:
            return .array([value])
        case .array(let elements):
            return .array(elements + [value])
        case .object(var members):
            members.removeAll { $0.key == key }
            members.append(JSONMember(key, value))
            return .object(members)
        default:
            return payload
        }
    }
}
