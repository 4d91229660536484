import Hummingbird
import SpoolCore

/// `/v1/groups`: enqueue a group (tasks run in parallel, a callback once they have all finished), list
/// the groups, look one up, and cancel one.
enum GroupRoutes {
    /// The most groups one page of a listing may hold.
    static let largestPage = 1000

    static func add(to api: RouterGroup<SpoolRequestContext>, spool: Spool) {
        api.post("groups") { request, _ in
            let body = try await request.jsonBytes(upTo: spool.configuration.maximumTaskBytes)
            return try await offLoop { JSONBody(.created, try spool.enqueue(groupDocument: body).json) }
        }
        api.get("groups") { request, _ in
            let listing = try GroupListing(request.query)
            return try await offLoop {
                let (groups, next) = listing.page(of: spool)
                var members = [
                    JSONMember("groups", .array(groups.map(\.summaryJSON))), JSONMember("more", .bool(next != nil)),
                ]
                if let next { members.append(JSONMember("next", .string(next))) }
                return JSONBody(.ok, .object(members))
            }
        }
        api.get("groups/:id") { _, context in
            let id = try TaskRoutes.taskID(context)
            return try await offLoop { JSONBody(.ok, try spool.group(id: id).json) }
        }
        api.post("groups/:id/cancel") { _, context in
            let id = try TaskRoutes.taskID(context)
            return try await offLoop { JSONBody(.ok, cancelled(id, try spool.cancel(group: id).members)) }
        }
    }

    /// The body of a cancel: the workflow's id, the outcome and what was done.
    static func cancelled(_ id: String, _ report: [JSONMember]) -> JSONValue {
        .object([JSONMember("id", .string(id)), JSONMember("outcome", .string("cancelled"))] + report)
    }
}

/// The page of groups a request asks for: `order` (`oldest`, by id, which is by creation time for a
/// ULID, or `newest`), `limit` (1-1000, 50 by default) and `cursor` (the `next` of the previous page: the
/// last id it listed).
struct GroupListing {
    var newestFirst = false
    var limit = 50
    var after: String?

    init(_ parameters: QueryParameters) throws {
        for name in parameters.names where !["order", "limit", "cursor"].contains(name) {
            throw APIError.invalid("unknown parameter \(name)", field: name)
        }
        switch try parameters.parameter("order") {
        case nil, "oldest": break
        case "newest": newestFirst = true
        case let other?: throw APIError.invalid("order: must be oldest or newest, not \(other)", field: "order")
        }
        limit = try parameters.integer("limit", in: 1...GroupRoutes.largestPage) ?? limit
        if let cursor = try parameters.parameter("cursor") {
            guard Names.isValidTaskID(cursor) else {
                throw APIError.invalid("cursor: not the next of a listing of groups", field: "cursor")
            }
            after = cursor
        }
    }

    /// The groups of the page (a group deleted meanwhile left out), and the cursor of the next page when
    /// there is one.
    func page(of spool: Spool) -> (groups: [GroupStatus], next: String?) {
        var ids = spool.groupIDs()
        if newestFirst { ids.reverse() }
        if let after { ids.removeAll { newestFirst ? $0 >= after : $0 <= after } }
        let chosen = ids.prefix(limit)
        let next = ids.count > limit ? chosen.last : nil
        return (chosen.compactMap { try? spool.group(id: $0) }, next)
    }
}
