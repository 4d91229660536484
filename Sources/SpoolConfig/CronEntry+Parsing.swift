internal import SpoolCore
internal import SpoolCron

extension CronEntry {
    /// The keys of one entry of `cron:`.
    static let configKeys = ["name", "spec", "time_zone", "missed", "missed_limit", "task"]

    /// Reads one entry of the `cron:` list, checking its spec and time zone.
    init(config node: ConfigNode) throws(ConfigProblem) {
        let fields = try node.mapping(allowedKeys: Self.configKeys)
        guard let nameNode = fields["name"] else { throw node.problem("name: required") }
        guard let specNode = fields["spec"] else { throw node.problem("spec: required") }
        guard let taskNode = fields["task"] else { throw node.problem("task: required") }
        let name = try nameNode.string()
        guard CronEntry.isValidName(name) else {
            throw nameNode.mismatch("a name matching [A-Za-z0-9_-]{1,\(CronEntry.maximumNameLength)}")
        }
        let spec = try specNode.string()
        do { _ = try CronSpec(spec) } catch { throw specNode.problem(error.message) }
        let zone = try fields["time_zone"]?.string() ?? "UTC"
        if let zoneNode = fields["time_zone"] {
            do { _ = try CronZone(zone) } catch { throw zoneNode.problem(error.message) }
        }
        let missed =
            try fields["missed"]?.choice(CronEntry.MissedPolicy.allCases.map { ($0.rawValue, $0) }) ?? .skip
        let limit =
            try fields["missed_limit"]?.integer(in: 1...CronEntry.maximumMissedLimit) ?? 100
        guard case .object(let task) = try taskNode.json() else { throw taskNode.mismatch("a mapping") }
        do {
            try self.init(name: name, spec: spec, timeZone: zone, missed: missed, missedLimit: limit, task: task)
        } catch {
            throw node.problem(error.message)
        }
    }
}
