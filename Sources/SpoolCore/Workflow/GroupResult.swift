/// What one member of a group left when it finished: `groups/<group>/r.<index>.<state>.json`.
struct GroupResult: Sendable, Hashable {
    var group: String
    var index: Int
    var id: String
    var state: TaskState
    /// The member's result, when it succeeded.
    var result: JSONValue?
    /// Why it did not, when it failed.
    var error: String?
    var finishedAt: Timestamp

    /// The marker a member leaves when it ends as `kind`; `nil` for a task in no group.
    init?(member record: TaskRecord, _ kind: FinishKind) {
        guard let group = record.group, let index = record.groupIndex else { return nil }
        self.group = group
        self.index = index
        id = record.id
        state = kind == .succeeded ? .done : .dead
        result = kind == .succeeded ? record.result : nil
        error = kind == .succeeded ? nil : record.attempts.last?.error ?? record.stateReason
        finishedAt = record.finishedAt ?? Timestamp(milliseconds: 0)
    }

    /// Reads a marker's content.
    init?(json: JSONValue) {
        guard let group = json["group"]?.stringValue, let index = json["index"]?.integerValue,
            (0..<Int64(TaskRecord.maximumGroupSize)).contains(index), let id = json["id"]?.stringValue,
            let state = json["state"]?.stringValue.flatMap(TaskState.init(rawValue:)),
            let finished = json["finished_at"]?.stringValue.flatMap(Timestamp.init(rfc3339:))
        else { return nil }
        self.group = group
        self.index = Int(index)
        self.id = id
        self.state = state
        result = json["result"]
        error = json["error"]?.stringValue
        finishedAt = finished
    }

    var json: JSONValue {
        var members = [
            JSONMember("group", .string(group)), JSONMember("index", .integer(index)), JSONMember("id", .string(id)),
            JSONMember("state", .string(state.rawValue)), JSONMember("finished_at", .string(finishedAt.rfc3339)),
        ]
        if let result { members.append(JSONMember("result", result)) }
        if let error { members.append(JSONMember("error", .string(error))) }
        return .object(members)
    }

    var encoded: [UInt8] { JSONWriter.encode(json) + [0x0A] }
}
