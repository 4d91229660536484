import Hummingbird
import HummingbirdTesting
import SpoolConfig
import SpoolCore
import SpoolHTTP
import SpoolTestSupport

/// A token the tests configure.
let testToken = "test-token-0123456789abcdef"

/// Runs `body` with a client of the API served in-process on a new spool, with `settings` (a token by
/// default).
func withAPI(
    settings: APISettings = APISettings(access: APIAccess(tokens: [testToken])),
    clock: any WallClock = SystemClock(),
    cron: [CronEntry] = [],
    _ body: @escaping @Sendable (Spool, any TestClientProtocol) async throws -> Void
) async throws {
    try await TemporarySpool.with { directory in
        let spool = try directory.open(configuration: SpoolConfiguration(durability: .none), clock: clock)
        let router = HTTPServer.router(spool: spool, settings: settings, configuredCron: { cron })
        let app = Application(router: router)
        try await app.test(.router) { client in try await body(spool, client) }
    }
}

/// Headers with the test token, and JSON content when `json`.
func authorized(json: Bool = false, _ extra: HTTPFields = [:]) -> HTTPFields {
    var headers: HTTPFields = [.authorization: "Bearer \(testToken)"]
    if json { headers[.contentType] = "application/json" }
    headers.append(contentsOf: extra)
    return headers
}

extension TestResponse {
    /// The body parsed as JSON; `.null` if it is not JSON.
    var json: JSONValue { (try? JSONParser.parse(Array(body.readableBytesView))) ?? .null }
}

/// A JSON body.
func jsonBody(_ text: String) -> ByteBuffer { ByteBuffer(string: text) }
