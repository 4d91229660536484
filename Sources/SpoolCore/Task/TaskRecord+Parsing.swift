extension TaskRecord {
    /// The longest wait, in seconds, that Spool accepts anywhere: a `delay`, a `retention`, a backoff entry, a
    /// retry delay a handler asks for: 100 years. Longer ones are refused where they are parsed, or held to
    /// this where they come from a handler.
    public static let maximumDelay: Double = 3_153_600_000
    /// Every field name the format defines.
    public static let knownFields: Set<String> = [
        "id", "queue", "type", "payload", "run_at", "delay", "max_attempts", "backoff", "timeout", "deadline",
        "delete_at",
        "retention", "unique_key", "unique_for", "key", "http", "created_at", "attempts", "result", "finished_at",
        "state_reason",
        "attempt_budget_start", "cron", "traceparent", "tracestate", "on_success", "on_failure", "pass_result",
        "parent", "workflow", "group", "group_index",
    ]
    /// The latest due time whose Unix milliseconds fit the 13 digits of a task file name
    /// (2286-11-20T17:46:39.999Z). A `run_at` at or after it is refused; a retry that would fall later is
    /// due at this time instead.
    public static let latestDue = Timestamp(milliseconds: 9_999_999_999_999)
    /// Largest accepted `timeout`: a week.
    static let maximumTimeout: Double = 604_800

    /// Parses and validates a task file.
    ///
    /// `delay`, if present, is turned into `run_at` relative to `now`; `id` is generated when absent by
    /// `makeID`. Unknown fields are kept.
    ///
    /// - Throws: ``TaskValidationError`` naming the first field that is wrong.
    public static func parse(
        _ bytes: [UInt8],
        now: Timestamp,
        makeID: () -> String
    ) throws(TaskValidationError) -> TaskRecord {
        let json: JSONValue
        do {
            json = try JSONParser.parse(bytes)
        } catch {
            throw TaskValidationError("invalid JSON: \(error)")
        }
        return try TaskRecord(json: json, now: now, makeID: makeID)
    }

    /// Validates a parsed JSON value as a task (see ``parse(_:now:makeID:)``).
    public init(json: JSONValue, now: Timestamp, makeID: () -> String) throws(TaskValidationError) {
        guard case .object(let members) = try WorkflowTemplate.expandingChain(json) else {
            throw TaskValidationError("not a JSON object")
        }
        var fields = FieldReader(members)

        let type = try fields.string("type", maxLength: 128)
        guard let type else { throw TaskValidationError("type: required") }
        let isPrintableASCII = type.utf8.allSatisfy { (0x20..<0x7F).contains($0) }
        guard isPrintableASCII || !type.unicodeScalars.contains(where: { $0.properties.generalCategory == .control })
        else {
            throw TaskValidationError("type: must not contain control characters")
        }
        let id = try fields.string("id", maxLength: 64)
        if let id, !Names.isValidTaskID(id) { throw TaskValidationError("id: must match [A-Za-z0-9_-]{1,64}") }
        let queue = try fields.string("queue", maxLength: 64) ?? "default"
        guard Names.isValidQueueName(queue) else { throw TaskValidationError("queue: must match [a-z0-9_-]{1,64}") }

        self.init(id: id ?? makeID(), queue: queue, type: type)
        payload = fields.take("payload") ?? .null
        runAt = try fields.time("run_at")
        if let runAt, runAt.milliseconds >= TaskRecord.latestDue.milliseconds {
            throw TaskValidationError("run_at: must be before \(TaskRecord.latestDue.rfc3339)")
        }
        if let delay = try fields.number("delay", in: 0...TaskRecord.maximumDelay) {
            guard runAt == nil else { throw TaskValidationError("delay: cannot be combined with run_at") }
            runAt = now.adding(seconds: delay)
        }
        maxAttempts = try fields.integer("max_attempts", in: 1...10_000).map { Int($0) }
        backoff = try fields.backoff("backoff")
        timeout = try fields.number("timeout", in: 0...TaskRecord.maximumTimeout)
        if timeout == 0 { throw TaskValidationError("timeout: must be greater than 0") }
        deadline = try fields.time("deadline")
        deleteAt = try fields.time("delete_at")
        retention = try fields.number("retention", in: 0...TaskRecord.maximumDelay)
        uniqueKey = try fields.string("unique_key", maxLength: 256)
        uniqueFor = try fields.number("unique_for", in: 0...TaskRecord.maximumDelay)
        if uniqueFor != nil, uniqueKey == nil { throw TaskValidationError("unique_for: needs unique_key") }
        key = try fields.string("key", maxLength: 256)
        if let http = fields.take("http") {
            guard case .object = http else { throw TaskValidationError("http: must be an object") }
            self.http = http
        }
        trace = try fields.trace()
        try readWorkflow(&fields, now: now, makeID: makeID)
        createdAt = try fields.time("created_at", numbers: false)
        do {
            attempts = try fields.attempts("attempts")
        } catch {
            throw error.reason.hasPrefix("attempts: ") ? error : TaskValidationError("attempts: \(error.reason)")
        }
        attemptBudgetStart = try fields.integer("attempt_budget_start", in: 0...Int64(attempts.count)).map { Int($0) }
        result = fields.take("result")
        finishedAt = try fields.time("finished_at", numbers: false)
        stateReason = try fields.string("state_reason", maxLength: 4096, allowEmpty: true)
        extra = fields.remaining
        // Kept among the unknown fields, as written by the cron entry whose tick made the task.
        if let cron = extra.first(where: { $0.key == "cron" })?.value,
            !(cron.stringValue.map(CronEntry.isValidName) ?? false)
        {
            throw TaskValidationError("cron: must be a cron entry name, [A-Za-z0-9_-]{1,45}")
        }
    }
}

/// Takes known fields out of an object's members, checking their types; what is left is kept as unknown.
struct FieldReader {
    private var members: [JSONMember]

    init(_ members: [JSONMember]) {
        self.members = members
    }

    var remaining: [JSONMember] { members }

    mutating func take(_ key: String) -> JSONValue? {
        guard let index = members.firstIndex(where: { $0.key.utf8.elementsEqual(key.utf8) }) else { return nil }
        return members.remove(at: index).value
    }

    mutating func string(_ key: String, maxLength: Int, allowEmpty: Bool = false) throws(TaskValidationError) -> String?
    {
        guard let value = take(key) else { return nil }
        guard case .string(let text) = value else {
            throw TaskValidationError("\(key): must be a string, not \(value.kindName)")
        }
        guard allowEmpty || !text.isEmpty else { throw TaskValidationError("\(key): must not be empty") }
        // No string has more characters than UTF-8 bytes, so counting characters is needed only for long ones.
        guard text.utf8.count <= maxLength || text.count <= maxLength else {
            throw TaskValidationError("\(key): longer than \(maxLength) characters")
        }
        return text
    }

    /// A number in `range`; `kind` says what the number is, for the message when it is not one.
    mutating func number(
        _ key: String,
        in range: ClosedRange<Double>,
        kind: String = "a number of seconds"
    ) throws(TaskValidationError) -> Double? {
        guard let value = take(key) else { return nil }
        guard case .number(let literal) = value else {
            throw TaskValidationError("\(key): must be \(kind), not \(value.kindName)")
        }
        // A literal too large for a double (`1e400`) reads as infinity: it is out of range, not of the wrong
        // type. The message quotes what the producer wrote, which is what they will look for.
        let number = Double(literal) ?? .infinity
        guard number.isFinite, range.contains(number) else {
            throw outOfRange(key, JSONWriter.abbreviated(literal), format(range.lowerBound), format(range.upperBound))
        }
        return number
    }

    mutating func integer(_ key: String, in range: ClosedRange<Int64>) throws(TaskValidationError) -> Int64? {
        guard let value = take(key) else { return nil }
        guard let number = value.integerValue else {
            // An integral literal too large for Int64 (`100000000000000000000`, `1e400`) is out of range, not
            // a fraction.
            if case .number(let literal) = value, let double = Double(literal), double == double.rounded() {
                throw outOfRange(key, JSONWriter.abbreviated(literal), "\(range.lowerBound)", "\(range.upperBound)")
            }
            throw TaskValidationError("\(key): must be an integer, not \(describe(value))")
        }
        guard range.contains(number) else {
            throw outOfRange(key, "\(number)", "\(range.lowerBound)", "\(range.upperBound)")
        }
        return number
    }

    /// An RFC 3339 date-time, or (when `numbers`) Unix seconds.
    mutating func time(_ key: String, numbers: Bool = true) throws(TaskValidationError) -> Timestamp? {
        guard let value = take(key) else { return nil }
        switch value {
        case .string(let text):
            guard let time = Timestamp(rfc3339: text) else {
                throw TaskValidationError(
                    "\(key): \(JSONWriter.quoted(text, limit: 64)) is not an RFC 3339 date-time such as "
                        + "2026-01-31T09:30:00Z"
                )
            }
            // An offset can carry a time written in year 0000 or 9999 out of the four-digit years, where it
            // has no RFC 3339 form to be written back in: the stored file would not read back.
            guard time >= Timestamp.earliest, time <= Timestamp.latest else {
                let bound = time < Timestamp.earliest ? "before \(Timestamp.earliest)" : "after \(Timestamp.latest)"
                throw TaskValidationError("\(key): \(JSONWriter.quoted(text, limit: 64)) is \(bound) in UTC")
            }
            return time
        case .number where numbers:
            guard let seconds = value.doubleValue, seconds.isFinite, seconds >= 0, seconds < 253_402_300_800 else {
                throw TaskValidationError("\(key): Unix seconds must be between 0 and 253402300799")
            }
            return Timestamp(seconds: seconds)
        default:
            throw TaskValidationError(
                "\(key): must be an RFC 3339 date-time\(numbers ? " or Unix seconds" : ""), not \(value.kindName)"
            )
        }
    }

    mutating func backoff(_ key: String) throws(TaskValidationError) -> Backoff? {
        guard let value = take(key) else { return nil }
        switch value {
        case .array(let entries):
            guard (1...100).contains(entries.count) else {
                throw TaskValidationError("\(key): a table needs 1 to 100 entries")
            }
            var delays: [Double] = []
            for entry in entries {
                guard let seconds = entry.doubleValue, seconds.isFinite, (0...TaskRecord.maximumDelay).contains(seconds)
                else {
                    throw TaskValidationError(
                        "\(key): table entries must be numbers of seconds from 0 to \(format(TaskRecord.maximumDelay))"
                    )
                }
                delays.append(seconds)
            }
            return .table(delays)
        case .object(let members):
            do {
                return try FieldReader.strategyBackoff(members)
            } catch {
                throw TaskValidationError("\(key): \(error.reason)")
            }
        default:
            throw TaskValidationError("\(key): must be a table of seconds or an object, not \(value.kindName)")
        }
    }

    private static func strategyBackoff(_ members: [JSONMember]) throws(TaskValidationError) -> Backoff {
        var fields = FieldReader(members)
        guard let strategy = try fields.string("strategy", maxLength: 32) else {
            throw TaskValidationError("strategy: required")
        }
        switch strategy {
        case "exponential":
            return try exponentialBackoff(&fields)
        case "tiers":
            return try tieredBackoff(&fields)
        default:
            throw TaskValidationError(
                "strategy: unknown \(JSONWriter.quoted(strategy)) (expected \"exponential\" or \"tiers\")"
            )
        }
    }

    private static func tieredBackoff(_ fields: inout FieldReader) throws(TaskValidationError) -> Backoff {
        guard let value = fields.take("tiers") else { throw TaskValidationError("tiers: required") }
        guard case .array(let entries) = value, (1...20).contains(entries.count) else {
            throw TaskValidationError("tiers: must be an array of 1 to 20 {\"every\", \"for\"} objects")
        }
        var tiers: [BackoffTier] = []
        for entry in entries {
            guard case .object(let members) = entry else {
                throw TaskValidationError("tiers: entries must be {\"every\", \"for\"} objects")
            }
            var tier = FieldReader(members)
            let every: Double?
            let duration: Double?
            do {
                every = try tier.number("every", in: 0.001...TaskRecord.maximumDelay)
                duration = try tier.number("for", in: 0.001...TaskRecord.maximumDelay)
            } catch {
                throw TaskValidationError("tiers: \(error.reason)")
            }
            guard let every, let duration else {
                throw TaskValidationError("tiers: each entry needs \"every\" and \"for\" in seconds")
            }
            if let unknown = tier.remaining.first {
                throw TaskValidationError("tiers: unknown field \(JSONWriter.quoted(unknown.key))")
            }
            guard duration / every <= 100_000 else { throw TaskValidationError("tiers: at most 100000 retries a tier") }
            tiers.append(BackoffTier(every: every, for: duration))
        }
        if let unknown = fields.remaining.first {
            throw TaskValidationError("unknown field \(JSONWriter.quoted(unknown.key))")
        }
        return .tiers(tiers)
    }

    private static func exponentialBackoff(_ fields: inout FieldReader) throws(TaskValidationError) -> Backoff {
        let initial = try fields.number("initial", in: 0.001...TaskRecord.maximumDelay) ?? 5
        let factor = try fields.number("factor", in: 1...1000, kind: "a number") ?? 2
        let maximum = try fields.number("max", in: initial...TaskRecord.maximumDelay) ?? max(3600, initial)
        let jitter = try fields.number("jitter", in: 0...1, kind: "a number") ?? 0.2
        if let unknown = fields.remaining.first {
            throw TaskValidationError("unknown field \(JSONWriter.quoted(unknown.key))")
        }
        return .exponential(initial: initial, factor: factor, max: maximum, jitter: jitter)
    }

    /// A ``TaskTrace`` from `traceparent` and `tracestate`, both strings; `tracestate` needs `traceparent`.
    mutating func trace() throws(TaskValidationError) -> TaskTrace? {
        // TaskTrace bounds both lengths, and says what a valid value looks like.
        let parent = try string("traceparent", maxLength: .max)
        let state = try string("tracestate", maxLength: .max)
        guard let parent else {
            if state != nil { throw TaskValidationError("tracestate: needs traceparent") }
            return nil
        }
        return try TaskTrace(traceparent: parent, tracestate: state)
    }

    mutating func attempts(_ key: String) throws(TaskValidationError) -> [Attempt] {
        guard let value = take(key) else { return [] }
        guard case .array(let entries) = value else {
            throw TaskValidationError("\(key): must be an array, not \(value.kindName)")
        }
        var attempts: [Attempt] = []
        for (position, entry) in entries.enumerated() {
            guard case .object(let members) = entry else {
                throw TaskValidationError("\(key): entries must be objects")
            }
            var fields = FieldReader(members)
            let number = try fields.integer("attempt", in: 1...1_000_000).map { Int($0) } ?? position + 1
            let started = try fields.time("started_at", numbers: false)
            let finished = try fields.time("finished_at", numbers: false) ?? started ?? Timestamp(milliseconds: 0)
            let worker = try fields.string("worker", maxLength: 256)
            let error = try fields.string("error", maxLength: 1 << 20, allowEmpty: true) ?? ""
            attempts.append(
                Attempt(number: number, startedAt: started, finishedAt: finished, worker: worker, error: error)
            )
        }
        return attempts
    }

    private func outOfRange(_ key: String, _ shown: String, _ lower: String, _ upper: String) -> TaskValidationError {
        TaskValidationError("\(key): \(shown) is out of range (\(lower) to \(upper))")
    }

    private func describe(_ value: JSONValue) -> String {
        if case .number(let literal) = value { return JSONWriter.abbreviated(literal) }
        return value.kindName
    }

    private func format(_ value: Double) -> String {
        value == value.rounded() && abs(value) < 1e15 ? String(Int64(value)) : String(value)
    }
}
