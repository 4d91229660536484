import HTTPTypes
import Hummingbird
import HummingbirdTesting
import SpoolConfig
import SpoolCore
import SpoolHTTP
import SpoolTestSupport
import Testing

/// Who may call the API: a token unless configured open on loopback, no cross-site writes, failed
/// attempts held off, and the headers that keep browsers from misusing answers.
@Suite struct SecurityTests {
    @Test func aRequestWithoutAValidTokenIsRefused() async throws {
        try await withAPI { spool, client in
            let none = try await client.execute(uri: "/v1/stats", method: .get)
            #expect(none.status == .unauthorized)
            #expect(none.headers[.wwwAuthenticate]?.hasPrefix("Bearer") == true)
            #expect(none.json["error"]?["code"] == .string("unauthorized"))
            let wrong = try await client.execute(
                uri: "/v1/tasks",
                method: .post,
                headers: [.authorization: "Bearer \(testToken)x", .contentType: "application/json"],
                body: jsonBody(#"{"type":"t"}"#)
            )
            #expect(wrong.status == .unauthorized)
            let basic = try await client.execute(
                uri: "/v1/stats",
                method: .get,
                headers: [.authorization: "Basic eDp5"]
            )
            #expect(basic.status == .unauthorized)
            #expect(spool.stats().queues.isEmpty, "nothing was enqueued")
            for path in ["/healthz", "/readyz", "/v1/health"] {
                let probe = try await client.execute(uri: path, method: .get)
                #expect(probe.status == .ok && probe.json["status"] == .string("ok"), "\(path)")
            }
            let good = try await client.execute(uri: "/v1/stats", method: .get, headers: authorized())
            #expect(good.status == .ok)
        }
    }

    @Test func failedAttemptsAreHeldOffForAMinute() async throws {
        let clock = ManualClock()
        try await withAPI(clock: clock) { _, client in
            for _ in 0..<10 {
                let wrong = try await client.execute(
                    uri: "/v1/stats",
                    method: .get,
                    headers: [.authorization: "Bearer nope"]
                )
                #expect(wrong.status == .unauthorized)
            }
            let held = try await client.execute(uri: "/v1/stats", method: .get, headers: authorized())
            #expect(held.status == .tooManyRequests)
            #expect(held.headers[.retryAfter].flatMap { Int($0) }.map { (1...60).contains($0) } == true)
            #expect(held.json["error"]?["code"] == .string("too_many_requests"))
            clock.advance(by: 61)
            let later = try await client.execute(uri: "/v1/stats", method: .get, headers: authorized())
            #expect(later.status == .ok)
        }
    }

    @Test func aBrowserOnAnotherSiteCannotChangeAnything() async throws {
        let open = APISettings(access: APIAccess(open: true))
        try await withAPI(settings: open) { spool, client in
            // A foreign page's form, its text/plain fetch, and a fetch the browser marks cross-site.
            let forged: [HTTPFields] = [
                [.origin: "http://evil.example", .contentType: "application/x-www-form-urlencoded"],
                [.origin: "http://evil.example", .contentType: "text/plain"],
                [.origin: "null", .contentType: "text/plain"],
                [.secFetchSiteForTests: "cross-site", .contentType: "application/json"],
                [.origin: "http://127.0.0.1:9999", .contentType: "application/json"],
            ]
            for headers in forged {
                for (uri, body) in [
                    ("/v1/tasks", #"{"type":"t"}"#), ("/v1/queues/q/pause", ""),
                    ("/api/task/save", "notify_url=http://a.example/"),
                ] {
                    let response = try await client.execute(
                        uri: uri,
                        method: .post,
                        headers: headers,
                        body: jsonBody(body)
                    )
                    #expect(response.status == .forbidden, "\(uri) \(headers)")
                    #expect(response.json["error"]?["code"] == .string("cross_site"))
                }
            }
            #expect(spool.stats().queues.isEmpty)
            #expect(try spool.pausedQueues().isEmpty)

            // The same page's own requests (the test client sends to host localhost), and programs that send no Origin, go through.
            let same = try await client.execute(
                uri: "/v1/tasks",
                method: .post,
                headers: [.origin: "http://localhost", .contentType: "application/json"],
                body: jsonBody(#"{"type":"t"}"#)
            )
            #expect(same.status == .created)
            let program = try await client.execute(
                uri: "/v1/tasks",
                method: .post,
                headers: [.contentType: "application/json"],
                body: jsonBody(#"{"type":"t"}"#)
            )
            #expect(program.status == .created)
        }
    }

    @Test func everyAnswerCarriesTheProtectiveHeaders() async throws {
        try await withAPI { _, client in
            for (uri, headers) in [("/v1/stats", authorized()), ("/v1/stats", [:]), ("/nowhere", authorized())] {
                let response = try await client.execute(uri: uri, method: .get, headers: headers)
                let policy = response.headers[.contentSecurityPolicy] ?? ""
                #expect(policy.contains("frame-ancestors 'none'") && policy.contains("default-src 'self'"))
                #expect(response.headers[.xContentTypeOptions] == "nosniff")
                #expect(response.headers[.cacheControl] == "no-store")
                #expect(response.headers[.referrerPolicyForTests] == "same-origin", "Origin: null under no-referrer")
            }
        }
    }

    @Test func settingsThatMustNotBeServedAreRefusedWithOneLine() {
        let cases: [(APISettings, Bool)] = [
            (APISettings(), false),
            (APISettings(host: "0.0.0.0", access: APIAccess(open: true)), false),
            (APISettings(host: "192.168.1.5", access: APIAccess(open: true)), false),
            (APISettings(host: "127.0.0.1.example.com", access: APIAccess(open: true)), false),
            (APISettings(host: "0.0.0.0", access: APIAccess(tokens: [testToken])), true),
            (APISettings(host: "0.0.0.0", access: APIAccess(users: ["ada": testUserHash])), true),
            (APISettings(access: APIAccess(open: true)), true),
            (APISettings(host: "::1", access: APIAccess(open: true)), true),
            (APISettings(host: "localhost", access: APIAccess(open: true)), true),
        ]
        for (settings, allowed) in cases {
            #expect((settings.accessProblem == nil) == allowed, "\(settings.host) \(settings.access)")
            if let problem = settings.accessProblem { #expect(!problem.contains("\n")) }
        }
    }
}

extension HTTPField.Name {
    /// `Sec-Fetch-Site`, as a browser sends it.
    static let secFetchSiteForTests = HTTPField.Name("Sec-Fetch-Site")!
    /// `Referrer-Policy`.
    static let referrerPolicyForTests = HTTPField.Name("Referrer-Policy")!
}
