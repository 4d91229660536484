import Hummingbird
import SpoolCore

/// `/v1/chains/{id}`: the steps of the chain that task `id` starts, each with its state, and cancelling
/// it. A chain is enqueued as a task (`POST /v1/tasks` with `{"chain": [task, ...]}`, or `on_success`).
enum ChainRoutes {
    static func add(to api: RouterGroup<SpoolRequestContext>, spool: Spool) {
        api.get("chains/:id") { _, context in
            let id = try TaskRoutes.taskID(context)
            return try await offLoop {
                let steps = try spool.chain(id: id)
                return JSONBody(
                    .ok,
                    .object([JSONMember("id", .string(id)), JSONMember("steps", .array(steps.map(\.json)))])
                )
            }
        }
        api.post("chains/:id/cancel") { _, context in
            let id = try TaskRoutes.taskID(context)
            return try await offLoop { JSONBody(.ok, GroupRoutes.cancelled(id, try spool.cancel(chain: id).members)) }
        }
    }
}
