/// A group to enqueue through the library: tasks run in parallel, and an optional callback once they have
/// all finished (a chord).
public struct NewGroup: Sendable {
    /// The group's id; a ULID when `nil`.
    public var id: String?
    /// The members, in the order their results reach the callback.
    public var members: [NewTask]
    /// The callback and the tasks after it, one after the other (a chain); empty for none.
    public var callback: [NewTask]
    /// When the callback runs.
    public var runCallback: GroupCallbackCondition
    /// Seconds the group's folder is kept once every member has finished; the spool's retention of
    /// succeeded tasks when `nil`.
    public var retention: Double?

    /// Creates a group of `members`, with `callback` run once they have all succeeded (or, with
    /// ``GroupCallbackCondition/allFinished``, once they have all finished).
    public init(
        id: String? = nil,
        members: [NewTask],
        callback: [NewTask] = [],
        runCallback: GroupCallbackCondition = .allSucceeded,
        retention: Double? = nil
    ) {
        self.id = id
        self.members = members
        self.callback = callback
        self.runCallback = runCallback
        self.retention = retention
    }
}

/// What an enqueued group is made of.
public struct GroupReceipt: Sendable, Hashable {
    /// The group's id.
    public var id: String
    /// The members' ids, in member order.
    public var members: [String]
    /// The ids of the callback and of the tasks after it, in order; empty for none.
    public var callback: [String]
}

/// A group as a document: `{"group": [task, ...], "callback": task or [task, ...], "run_callback":
/// "all_succeeded" | "all_finished", "id": "...", "retention": seconds}`, the form a drop, the HTTP API and
/// `spoolctl enqueue` take.
struct GroupRequest {
    var id: String?
    var members: [JSONValue]
    var callback: JSONValue?
    var runCallback: GroupCallbackCondition
    var retention: Double?

    /// Whether `json` is a group document rather than a task.
    static func isGroup(_ json: JSONValue) -> Bool {
        json["group"]?.arrayValue != nil && json["type"] == nil
    }

    init(json: JSONValue) throws(TaskValidationError) {
        guard case .object(let members) = json else { throw TaskValidationError("not a JSON object") }
        var fields = FieldReader(members)
        guard case .array(let tasks)? = fields.take("group"), !tasks.isEmpty else {
            throw TaskValidationError("group: must be a non-empty list of tasks")
        }
        guard tasks.count <= TaskRecord.maximumGroupSize else {
            throw TaskValidationError("group: more than \(TaskRecord.maximumGroupSize) members")
        }
        self.members = tasks
        id = try fields.string("id", maxLength: 64)
        if let id, !Names.isValidTaskID(id) { throw TaskValidationError("id: must match [A-Za-z0-9_-]{1,64}") }
        callback = fields.take("callback")
        let condition = try fields.string("run_callback", maxLength: 32) ?? GroupCallbackCondition.allSucceeded.rawValue
        guard let runCallback = GroupCallbackCondition(rawValue: condition) else {
            throw TaskValidationError("run_callback: must be \"all_succeeded\" or \"all_finished\"")
        }
        self.runCallback = runCallback
        retention = try fields.number("retention", in: 0...TaskRecord.maximumDelay)
        if let unknown = fields.remaining.first {
            throw TaskValidationError("\(unknown.key): not a field of a group document")
        }
    }

    init(_ group: NewGroup) throws(TaskValidationError) {
        id = group.id
        members = try group.members.map { (task) throws(TaskValidationError) in try task.json() }
        callback =
            group.callback.isEmpty
            ? nil : .array(try group.callback.map { (task) throws(TaskValidationError) in try task.json() })
        runCallback = group.runCallback
        retention = group.retention
        guard !members.isEmpty else { throw TaskValidationError("group: needs at least one member") }
        guard members.count <= TaskRecord.maximumGroupSize else {
            throw TaskValidationError("group: more than \(TaskRecord.maximumGroupSize) members")
        }
        if let id, !Names.isValidTaskID(id) { throw TaskValidationError("id: must match [A-Za-z0-9_-]{1,64}") }
    }
}

extension GroupRequest {
    /// The parsed document, if `bytes` may hold a group: only a document that names `"group"` is parsed
    /// here, so that a task drop is parsed once.
    static func candidate(_ bytes: [UInt8]) -> JSONValue? {
        let key = Array("\"group\"".utf8)
        guard bytes.count >= key.count,
            bytes.indices.dropLast(key.count - 1).contains(where: { bytes[$0..<$0 + key.count].elementsEqual(key) }),
            let json = try? JSONParser.parse(bytes), isGroup(json)
        else { return nil }
        return json
    }
}
