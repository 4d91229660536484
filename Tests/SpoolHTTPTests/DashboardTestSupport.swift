import HTTPTypes
import Hummingbird
import HummingbirdTesting
import SpoolConfig
import SpoolCore
import SpoolHTTP
import SpoolTestSupport
import Testing

/// The dashboard user the tests configure, with its password and the hash `htpasswd -nbB -C 4` made of it.
let testUser = "ada"
let testPassword = "correct horse"
let testUserHash = "$2y$04$vrQED6sDk6twjghjCEJLDOtpX3qpHcb8rbuEbhsncxNNHIhTtxb0m"

/// Settings with the test user (and the test token).
let dashboardSettings = APISettings(access: APIAccess(tokens: [testToken], users: [testUser: testUserHash]))

/// A browser's state in the tests: its cookies and the form token of its session.
struct Browser: Sendable {
    /// The `Cookie` header it sends.
    var cookie: String
    /// The form token of its session, read off a page.
    var formToken: String

    /// Headers of a form post from the dashboard's own page.
    var formHeaders: HTTPFields {
        [
            .cookie: cookie, .contentType: "application/x-www-form-urlencoded", .origin: "http://localhost",
            .secFetchSiteForTests: "same-origin",
        ]
    }
}

/// Runs `body` with a client of the server on a new spool with the test user, and the history its overview
/// draws from.
func withDashboard(
    settings: APISettings = dashboardSettings,
    clock: any WallClock = SystemClock(),
    cron: [CronEntry] = [],
    _ body: @escaping @Sendable (Spool, any TestClientProtocol, StatsHistory) async throws -> Void
) async throws {
    try await TemporarySpool.with { directory in
        let spool = try directory.open(configuration: SpoolConfiguration(durability: .none), clock: clock)
        let history = StatsHistory()
        let router = HTTPServer.router(spool: spool, settings: settings, configuredCron: { cron }, history: history)
        try await Application(router: router).test(.router) { client in try await body(spool, client, history) }
    }
}

/// A form body.
func formBody(_ fields: [(String, String)]) -> ByteBuffer {
    ByteBuffer(string: fields.map { "\(escapedForm($0.0))=\(escapedForm($0.1))" }.joined(separator: "&"))
}

/// `text` as a browser writes a form field: `+` for a space, `%XX` for all but letters and digits.
private func escapedForm(_ text: String) -> String {
    let digits = Array("0123456789ABCDEF")
    return text.utf8.map { byte in
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
            UInt8(ascii: "0")...UInt8(ascii: "9"):
            String(UnicodeScalar(byte))
        case UInt8(ascii: " "): "+"
        default: "%\(digits[Int(byte >> 4)])\(digits[Int(byte & 15)])"
        }
    }.joined()
}

extension TestResponse {
    /// The body as text.
    var text: String { String(buffer: body) }

    /// The value of the cookie `name` this response sets, if it sets it.
    func cookie(_ name: String) -> String? {
        headers[values: .setCookie].compactMap { line -> String? in
            guard line.hasPrefix("\(name)=") else { return nil }
            return String(line.dropFirst(name.count + 1).prefix { $0 != ";" })
        }.first
    }

    /// The whole `Set-Cookie` line of the cookie `name`.
    func setCookieLine(_ name: String) -> String? {
        headers[values: .setCookie].first { $0.hasPrefix("\(name)=") }
    }

    /// The value of the first hidden field `name` on the page.
    func hiddenField(_ name: String) -> String? {
        guard let start = text.firstRange(of: #"name="\#(name)" value=""#) else { return nil }
        return String(text[start.upperBound...].prefix { $0 != "\"" })
    }
}

/// Logs in through the form as a browser does and returns the browser's state; records an issue if it
/// cannot.
func logIn(
    _ client: some TestClientProtocol,
    user: String = testUser,
    password: String = testPassword
) async throws -> Browser {
    let form = try await client.execute(uri: "/dashboard/login", method: .get)
    let loginToken = try #require(form.cookie("spool_login"))
    #expect(form.hiddenField("csrf") == loginToken)
    let login = try await client.execute(
        uri: "/dashboard/login",
        method: .post,
        headers: Browser(cookie: "spool_login=\(loginToken)", formToken: "").formHeaders,
        body: formBody([("csrf", loginToken), ("user", user), ("password", password), ("next", "/dashboard")])
    )
    #expect(login.status == .seeOther, "\(login.text)")
    let session = try #require(login.cookie("spool_session"))
    let overview = try await client.execute(
        uri: "/dashboard",
        method: .get,
        headers: [.cookie: "spool_session=\(session)"]
    )
    return Browser(cookie: "spool_session=\(session)", formToken: try #require(overview.hiddenField("csrf")))
}

extension String {
    /// How many times `needle` occurs in the text.
    func occurrences(of needle: String) -> Int { ranges(of: needle).count }
}
