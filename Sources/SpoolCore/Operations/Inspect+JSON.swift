extension TaskLocation {
    /// The JSON form shown by `spoolctl --json` and the HTTP API.
    public var json: JSONValue {
        var members = [
            JSONMember("id", .string(id)), JSONMember("queue", .string(queue)),
            JSONMember("state", .string(state.rawValue)),
        ]
        if let due { members.append(JSONMember("due", .string(due.rfc3339))) }
        members.append(JSONMember("path", .string(path)))
        return .object(members)
    }
}

extension SpoolStats {
    /// The JSON form shown by `spoolctl --json stats` and the HTTP API: counts by queue and state.
    public var json: JSONValue {
        let queues = self.queues.map { counts in
            JSONValue.object(
                [JSONMember("queue", .string(counts.queue))]
                    + TaskState.allCases.map { JSONMember($0.rawValue, .integer(counts[$0])) }
            )
        }
        return .object([
            JSONMember("queues", .array(queues)), JSONMember("incoming", .integer(incoming)),
            JSONMember("rejected", .integer(rejected)), JSONMember("paused", .array(paused.map { .string($0) })),
        ])
    }
}
