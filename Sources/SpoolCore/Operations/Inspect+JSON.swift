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
    /// The JSON form shown by `spoolctl --json stats` and the HTTP API: per queue, counts by state, the
    /// oldest wait in seconds, the tasks due soon, waits by bucket, and the tasks finished in the last hour.
    public var json: JSONValue {
        let queues = self.queues.map { counts in
            var members =
                [JSONMember("queue", .string(counts.queue))]
                + TaskState.allCases.map { JSONMember($0.rawValue, .integer(Int64(counts[$0]))) }
            if let oldest = counts.oldestDue {
                let seconds = max(0, now.milliseconds - oldest.milliseconds) / 1000
                members.append(JSONMember("oldest_waiting_s", .integer(seconds)))
            }
            members += [
                JSONMember("due_next_minute", .integer(Int64(counts.dueNextMinute))),
                JSONMember("due_next_hour", .integer(Int64(counts.dueNextHour))),
                JSONMember(
                    "waiting",
                    .object(
                        zip(QueueCounts.waitBuckets, counts.waiting).map {
                            JSONMember($0.0.label, .integer(Int64($0.1)))
                        }
                    )
                ),
                JSONMember("done_last_hour", .integer(Int64(counts.doneLastHour))),
                JSONMember("dead_last_hour", .integer(Int64(counts.deadLastHour))),
            ]
            return JSONValue.object(members)
        }
        return .object([
            JSONMember("queues", .array(queues)), JSONMember("incoming", .integer(Int64(incoming))),
            JSONMember("rejected", .integer(Int64(rejected))), JSONMember("paused", .array(paused.map { .string($0) })),
        ])
    }
}
