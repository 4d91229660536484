/// `groups/<id>/group.json`: what a group is, written once when it is accepted.
public struct GroupManifest: Sendable, Hashable {
    /// The group's id, `[A-Za-z0-9_-]{1,64}`.
    public var id: String
    /// The members' ids, in member order.
    public var members: [String]
    /// The callback's id, if the group has one.
    public var callback: String?
    /// When the callback runs.
    public var runCallback: GroupCallbackCondition
    /// Seconds the group's folder is kept once every member has finished.
    public var retention: Double
    /// When the group was accepted.
    public var createdAt: Timestamp
    /// The process that accepted it, which places its members.
    public var createdBy: String

    var json: JSONValue {
        var fields = [
            JSONMember("id", .string(id)),
            JSONMember("members", .array(members.map { .string($0) })),
        ]
        if let callback { fields.append(JSONMember("callback", .string(callback))) }
        fields += [
            JSONMember("run_callback", .string(runCallback.rawValue)),
            JSONMember("retention", .double(retention)),
            JSONMember("created_at", .string(createdAt.rfc3339)),
            JSONMember("created_by", .string(createdBy)),
        ]
        return .object(fields)
    }

    init(
        id: String,
        members: [String],
        callback: String?,
        runCallback: GroupCallbackCondition,
        retention: Double,
        createdAt: Timestamp,
        createdBy: String
    ) {
        self.id = id
        self.members = members
        self.callback = callback
        self.runCallback = runCallback
        self.retention = retention
        self.createdAt = createdAt
        self.createdBy = createdBy
    }

    init?(json: JSONValue) {
        guard let id = json["id"]?.stringValue, let members = json["members"]?.arrayValue,
            let condition = json["run_callback"]?.stringValue.flatMap(GroupCallbackCondition.init(rawValue:)),
            let retention = json["retention"]?.doubleValue,
            let created = json["created_at"]?.stringValue.flatMap(Timestamp.init(rfc3339:)),
            let creator = json["created_by"]?.stringValue
        else { return nil }
        let ids = members.compactMap(\.stringValue)
        guard ids.count == members.count else { return nil }
        self.init(
            id: id,
            members: ids,
            callback: json["callback"]?.stringValue,
            runCallback: condition,
            retention: retention,
            createdAt: created,
            createdBy: creator
        )
    }
}

/// When a group's callback runs.
public enum GroupCallbackCondition: String, Sendable, Hashable {
    /// Once every member has succeeded (a chord, as Celery and Machinery run it). A member that ends in
    /// `dead/` holds the callback back until it is retried by hand and succeeds.
    case allSucceeded = "all_succeeded"
    /// Once every member has finished, succeeded or not; a failed member's result is `null`.
    case allFinished = "all_finished"
}
