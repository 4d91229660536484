import Hummingbird
import SpoolCore
import SpoolCron

extension APIServer {
    /// The routes of `/v1/cron`: list, store, remove, pause and resume entries.
    static func addCronRoutes(
        to api: RouterGroup<BasicRequestContext>,
        spool: Spool,
        configured: @escaping @Sendable () -> [CronEntry]
    ) {
        api.get("cron") { request, _ in
            JSONResponse(result: { () throws(SpoolError) -> (HTTPResponse.Status, JSONValue) in
                var count = 1
                if let text = request.uri.queryParameters["next"] {
                    guard let value = Int(String(text)), (1...100).contains(value) else {
                        throw SpoolError(.invalidArgument, "next must be a number from 1 to 100")
                    }
                    count = value
                }
                let status = spool.cronStatus(configured: configured(), now: spool.clock.now, count: count)
                return (.ok, .array(status.entries.map(\.json)))
            })
        }
        api.post("cron") { request, _ in
            let body = try await request.body.collect(upTo: APIServer.maximumCronEntryBytes + 1)
            let replacing = request.uri.queryParameters["replace"] == "true"
            return JSONResponse(result: { () throws(SpoolError) -> (HTTPResponse.Status, JSONValue) in
                let bytes = Array(body.readableBytesView)
                guard bytes.count <= APIServer.maximumCronEntryBytes else {
                    throw SpoolError(
                        .invalidArgument,
                        "a cron entry is at most \(APIServer.maximumCronEntryBytes) bytes"
                    )
                }
                let json: JSONValue
                do { json = try JSONParser.parse(bytes) } catch {
                    throw SpoolError(.invalidArgument, "invalid JSON: \(error)")
                }
                let entry = try CronEntry(json: json)
                if configured().contains(where: { $0.name == entry.name }) {
                    throw SpoolError(.alreadyExists, "cron entry \(entry.name) is defined in the configuration")
                }
                try spool.addCronEntry(entry, replacing: replacing)
                return (.created, entry.json)
            })
        }
        api.delete("cron/:name") { _, context in
            let name = try context.parameters.require("name")
            return JSONResponse(result: { () throws(SpoolError) -> (HTTPResponse.Status, JSONValue) in
                try spool.removeCronEntry(named: name)
                return (.ok, .object([JSONMember("name", .string(name)), JSONMember("removed", .bool(true))]))
            })
        }
        for (action, paused) in [("pause", true), ("resume", false)] {
            api.post("cron/:name/\(action)") { _, context in
                let name = try context.parameters.require("name")
                return JSONResponse(result: { () throws(SpoolError) -> (HTTPResponse.Status, JSONValue) in
                    if paused { try spool.pauseCron(name) } else { try spool.resumeCron(name) }
                    return (.ok, .object([JSONMember("name", .string(name)), JSONMember("paused", .bool(paused))]))
                })
            }
        }
    }

    /// The largest cron entry body accepted.
    static let maximumCronEntryBytes = 65_536
}
