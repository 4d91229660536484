extension TaskRecord {
    /// The task as a JSON object: known fields first, in a fixed order, then unknown fields as they came,
    /// then what Spool recorded. Unset fields are left out.
    public var json: JSONValue {
        var members: [JSONMember] = [
            JSONMember("id", .string(id)),
            JSONMember("queue", .string(queue)),
            JSONMember("type", .string(type)),
            JSONMember("payload", payload),
        ]
        func add(_ key: String, _ value: JSONValue?) {
            if let value { members.append(JSONMember(key, value)) }
        }
        add("run_at", runAt.map { .string($0.rfc3339) })
        add("max_attempts", maxAttempts.map { .integer($0) })
        add("backoff", backoff?.json)
        add("timeout", timeout.map { .double($0) })
        add("deadline", deadline.map { .string($0.rfc3339) })
        add("delete_at", deleteAt.map { .string($0.rfc3339) })
        add("retention", retention.map { .double($0) })
        add("unique_key", uniqueKey.map { .string($0) })
        add("unique_for", uniqueFor.map { .double($0) })
        add("key", key.map { .string($0) })
        add("http", http)
        add("traceparent", trace.map { .string($0.traceparent) })
        add("tracestate", trace?.tracestate.map { .string($0) })
        add("on_success", onSuccess)
        add("on_failure", onFailure)
        add("pass_result", passResult.map { .bool($0) })
        add("parent", parent.map { .string($0) })
        add("workflow", workflow.map { .string($0) })
        add("group", group.map { .string($0) })
        add("group_index", groupIndex.map { .integer($0) })
        add("created_at", createdAt.map { .string($0.rfc3339) })
        members.append(contentsOf: extra)
        if !attempts.isEmpty { members.append(JSONMember("attempts", .array(attempts.map(\.json)))) }
        add("attempt_budget_start", attemptBudgetStart.map { .integer($0) })
        add("result", result)
        add("finished_at", finishedAt.map { .string($0.rfc3339) })
        add("state_reason", stateReason.map { .string($0) })
        return .object(members)
    }

    /// The file content: compact JSON and a final newline.
    public var encoded: [UInt8] {
        var bytes = JSONWriter.encode(json)
        bytes.append(0x0A)
        return bytes
    }
}

extension Backoff {
    /// The JSON form, as accepted in a task's `backoff` field.
    public var json: JSONValue {
        switch self {
        case .table(let delays):
            return .array(delays.map { .double($0) })
        case .exponential(let initial, let factor, let maximum, let jitter):
            return .object([
                JSONMember("strategy", .string("exponential")),
                JSONMember("initial", .double(initial)),
                JSONMember("factor", .double(factor)),
                JSONMember("max", .double(maximum)),
                JSONMember("jitter", .double(jitter)),
            ])
        case .tiers(let tiers):
            return .object([
                JSONMember("strategy", .string("tiers")),
                JSONMember(
                    "tiers",
                    .array(
                        tiers.map {
                            .object([JSONMember("every", .double($0.every)), JSONMember("for", .double($0.duration))])
                        }
                    )
                ),
            ])
        }
    }
}

extension Attempt {
    /// The JSON form stored in a task's `attempts` array.
    public var json: JSONValue {
        var members = [JSONMember("attempt", .integer(number))]
        if let startedAt { members.append(JSONMember("started_at", .string(startedAt.rfc3339))) }
        members.append(JSONMember("finished_at", .string(finishedAt.rfc3339)))
        if let worker { members.append(JSONMember("worker", .string(worker))) }
        members.append(JSONMember("error", .string(error)))
        return .object(members)
    }
}
