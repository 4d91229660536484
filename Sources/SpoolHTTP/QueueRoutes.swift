import Hummingbird
import SpoolCore

/// `/v1/stats` and `/v1/queues/{queue}/pause|resume`.
enum QueueRoutes {
    static func add(to api: RouterGroup<SpoolRequestContext>, spool: Spool) {
        api.get("stats") { _, _ in try await offLoop { JSONBody(.ok, spool.stats().json) } }
        for (action, paused) in [("pause", true), ("resume", false)] {
            api.post("queues/:queue/\(action)") { _, context in
                let queue = try context.parameters.require("queue")
                guard Names.isValidQueueName(queue) else {
                    throw APIError.invalid("queue: must match [a-z0-9_-]{1,64}", field: "queue")
                }
                return try await offLoop {
                    if paused { try spool.pause(queue) } else { try spool.resume(queue) }
                    return JSONBody(
                        .ok,
                        .object([JSONMember("queue", .string(queue)), JSONMember("paused", .bool(paused))])
                    )
                }
            }
        }
    }
}
