extension GroupReceipt {
    /// The JSON form shown by `spoolctl enqueue --json` and the HTTP API: `{id, members, callback}`, the
    /// member ids and the ids of the callback and the tasks after it, in order.
    public var json: JSONValue {
        .object([
            JSONMember("id", .string(id)),
            JSONMember("members", .array(members.map { .string($0) })),
            JSONMember("callback", .array(callback.map { .string($0) })),
        ])
    }
}

extension GroupStatus {
    /// The JSON form shown by `spoolctl group list --json` and `GET /v1/groups`: the group's counts without
    /// its members, `size` their number.
    public var summaryJSON: JSONValue {
        .object(
            [JSONMember("id", .string(manifest.id)), JSONMember("size", .integer(manifest.members.count))] + common
        )
    }

    /// The JSON form shown by `spoolctl group show --json` and the HTTP API: the summary's counts, and
    /// each member with its state (`null` while it waits or runs), its result or its error.
    public var json: JSONValue {
        let members = self.members.map { member in
            var fields = [
                JSONMember("index", .integer(member.index)), JSONMember("id", .string(member.id)),
                JSONMember("state", member.state.map { .string($0.rawValue) } ?? .null),
            ]
            if let result = member.result { fields.append(JSONMember("result", result)) }
            if let error = member.error { fields.append(JSONMember("error", .string(error))) }
            return JSONValue.object(fields)
        }
        return .object([JSONMember("id", .string(manifest.id)), JSONMember("members", .array(members))] + common)
    }

    /// What the summary and the whole form share: counts, callback, condition, times.
    private var common: [JSONMember] {
        [
            JSONMember("succeeded", .integer(succeeded)),
            JSONMember("failed", .integer(failed)),
            JSONMember("pending", .integer(pending)),
            JSONMember(
                "callback",
                manifest.callback.map {
                    .object([JSONMember("id", .string($0)), JSONMember("state", .string(callback.rawValue))])
                } ?? .null
            ),
            JSONMember("cancelled", .bool(callback == .cancelled)),
            JSONMember("run_callback", .string(manifest.runCallback.rawValue)),
            JSONMember("retention", .double(manifest.retention)),
            JSONMember("created_at", .string(manifest.createdAt.rfc3339)),
        ]
    }
}

extension ChainStepStatus {
    /// The JSON form shown by `spoolctl chain show --json` and the HTTP API: `{id, state}`, the state
    /// `null` while the step is not enqueued yet.
    public var json: JSONValue {
        .object([JSONMember("id", .string(id)), JSONMember("state", state.map { .string($0.rawValue) } ?? .null)])
    }
}

extension WorkflowCancelReport {
    /// The counts of a cancel, for `spoolctl --json` and the HTTP API: `cancelled` (waiting tasks moved to
    /// `dead/`), `requested` (running ones asked to stop) and `callback_cancelled`.
    public var members: [JSONMember] {
        [
            JSONMember("cancelled", .integer(cancelled)),
            JSONMember("requested", .integer(requested)),
            JSONMember("callback_cancelled", .bool(callbackCancelled)),
        ]
    }
}
