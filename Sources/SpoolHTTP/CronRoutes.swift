import Hummingbird
import SpoolCore
import SpoolCron

/// `/v1/cron`: list, store, remove, pause and resume entries.
enum CronRoutes {
    static func add(
        to api: RouterGroup<SpoolRequestContext>,
        spool: Spool,
        configured: @escaping @Sendable () -> [CronEntry]
    ) {
        api.get("cron") { request, _ in
            let entries = try request.integer("next", in: 1...100) ?? 1
            return try await offLoop {
                let status = spool.cronStatus(configured: configured(), now: spool.clock.now, count: entries)
                return JSONBody(.ok, .array(status.entries.map(\.json)))
            }
        }
        api.post("cron") { request, _ in
            let body = try await request.jsonBytes(upTo: maximumCronEntryBytes)
            let replacing = try request.parameter("replace") == "true"
            return try await offLoop {
                let json: JSONValue
                do { json = try JSONParser.parse(body) } catch { throw APIError.invalid("invalid JSON: \(error)") }
                let entry = try CronEntry(json: json)
                if configured().contains(where: { $0.name == entry.name }) {
                    throw APIError(
                        .conflict,
                        "conflict",
                        "cron entry \(entry.name) is defined in the configuration",
                        field: "name"
                    )
                }
                try spool.addCronEntry(entry, replacing: replacing)
                return JSONBody(.created, entry.json)
            }
        }
        api.delete("cron/:name") { _, context in
            let name = try cronName(context)
            return try await offLoop {
                try spool.removeCronEntry(named: name)
                return JSONBody(.ok, .object([JSONMember("name", .string(name)), JSONMember("removed", .bool(true))]))
            }
        }
        for (action, paused) in [("pause", true), ("resume", false)] {
            api.post("cron/:name/\(action)") { _, context in
                let name = try cronName(context)
                return try await offLoop {
                    if paused { try spool.pauseCron(name) } else { try spool.resumeCron(name) }
                    return JSONBody(
                        .ok,
                        .object([JSONMember("name", .string(name)), JSONMember("paused", .bool(paused))])
                    )
                }
            }
        }
    }

    /// The entry name of the route, checked before it names anything on disk.
    private static func cronName(_ context: SpoolRequestContext) throws -> String {
        let name = try context.parameters.require("name")
        guard CronEntry.isValidName(name) else { throw APIError.invalid("name: not a cron entry name", field: "name") }
        return name
    }

    /// The largest cron entry body accepted.
    static let maximumCronEntryBytes = 65_536
}
