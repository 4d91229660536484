import Hummingbird
import SpoolCore
import SpoolSystem

/// `/healthz` (the process answers) and `/readyz` (it can use the spool), open to all: a probe needs no
/// token, and they tell nothing about the tasks.
enum HealthRoutes {
    static func add(to router: Router<SpoolRequestContext>, spool: Spool) {
        let ok = JSONValue.object([JSONMember("status", .string("ok"))])
        router.get("healthz") { _, _ in JSONBody(.ok, ok) }
        router.get("v1/health") { _, _ in JSONBody(.ok, ok) }
        router.get("readyz") { _, _ in
            try await offLoop {
                do throws(SpoolError) {
                    try spool.checkReady()
                    return JSONBody(.ok, ok)
                } catch {
                    return JSONBody(
                        .serviceUnavailable,
                        .object([
                            JSONMember("status", .string("unavailable")), JSONMember("reason", .string(error.message)),
                        ])
                    )
                }
            }
        }
    }
}
