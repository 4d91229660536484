import Hummingbird
import SpoolCore

/// `/v1/rejected`: the drops quarantined in `rejected/` with their reasons, and re-submitting one fixed
/// meanwhile.
enum RejectedRoutes {
    static func add(to api: RouterGroup<SpoolRequestContext>, spool: Spool) {
        api.get("rejected") { request, _ in
            let most = try request.integer("limit", in: 1...1000) ?? 100
            return try await offLoop {
                let (files, more) = spool.rejectedFiles(limit: most)
                let items = files.map { file in
                    JSONValue.object([
                        JSONMember("name", .string(file.name)),
                        JSONMember("reason", file.reason.map { .string($0) } ?? .null),
                        JSONMember("size", .integer(file.size)),
                        JSONMember("rejected_at", .string(file.changed.rfc3339)),
                    ])
                }
                return JSONBody(.ok, .object([JSONMember("files", .array(items)), JSONMember("more", .bool(more))]))
            }
        }
        api.post("rejected/:name/resubmit") { _, context in
            let name = try context.parameters.require("name")
            guard isRejectedFileName(name) else {
                throw APIError.invalid("name: not the name of a file in rejected/", field: "name")
            }
            return try await offLoop {
                switch try spool.resubmitRejected(name) {
                case .accepted(let id, let queue):
                    return JSONBody(
                        .ok,
                        .object([
                            JSONMember("name", .string(name)), JSONMember("outcome", .string("accepted")),
                            JSONMember("id", .string(id)), JSONMember("queue", .string(queue)),
                        ])
                    )
                case .rejected(_, let reason):
                    throw APIError(.unprocessableContent, "rejected", "rejected again: \(reason)")
                case .skipped:
                    return JSONBody(
                        .accepted,
                        .object([
                            JSONMember("name", .string(name)), JSONMember("outcome", .string("taken by the daemon")),
                        ])
                    )
                }
            }
        }
    }

    /// Whether `name` can name a file in `rejected/`: one path component, not hidden, no control character.
    static func isRejectedFileName(_ name: String) -> Bool {
        !name.isEmpty && name.utf8.count <= 255 && !name.contains("/") && !name.hasPrefix(".")
            && !name.utf8.contains(where: { $0 < 0x20 })
    }
}
