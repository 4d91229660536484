import HTTPTypes
import Hummingbird
import HummingbirdTesting
import SpoolConfig
import SpoolCore
import SpoolHTTP
import SpoolTestSupport
import Testing

/// Who may see the dashboard: a user who logged in through a form that no other site can post, with a
/// session cookie no script reads; failed logins held off; anyone when the API is configured open.
@Suite struct DashboardLoginTests {
    @Test func aPageWithoutASessionLeadsToTheLoginFormAndBack() async throws {
        try await withDashboard { spool, client, _ in
            let overview = try await client.execute(uri: "/dashboard", method: .get)
            #expect(overview.status == .seeOther)
            #expect(overview.headers[.location] == "/dashboard/login?next=%2Fdashboard")
            let list = try await client.execute(uri: "/dashboard/tasks?state=dead", method: .get)
            #expect(list.headers[.location] == "/dashboard/login?next=%2Fdashboard%2Ftasks%3Fstate%3Ddead")
            let root = try await client.execute(uri: "/", method: .get)
            #expect(root.status == .seeOther && root.headers[.location] == "/dashboard")

            let pause = try await client.execute(
                uri: "/dashboard/queues/mail/pause",
                method: .post,
                headers: [.contentType: "application/x-www-form-urlencoded"],
                body: formBody([("csrf", "x")])
            )
            #expect(pause.status == .unauthorized)
            #expect(pause.headers[.contentType] == "text/html; charset=utf-8" && pause.text.contains("log in first"))
            #expect(try spool.pausedQueues().isEmpty)

            let browser = try await logIn(client)
            let page = try await client.execute(
                uri: "/dashboard/tasks?state=dead",
                method: .get,
                headers: [.cookie: browser.cookie]
            )
            #expect(page.status == .ok && page.text.contains("Log out ada"))
            // The JSON API still wants its token: a session is not one.
            let api = try await client.execute(uri: "/v1/stats", method: .get, headers: [.cookie: browser.cookie])
            #expect(api.status == .unauthorized)
        }
    }

    @Test func theSessionCookieIsHttpOnlyStrictAndSecureAsConfigured() async throws {
        try await withDashboard { _, client, _ in
            let form = try await client.execute(uri: "/dashboard/login", method: .get)
            let token = try #require(form.cookie("spool_login"))
            let formCookie = try #require(form.setCookieLine("spool_login"))
            for attribute in ["HttpOnly", "SameSite=Strict", "Path=/dashboard/login"] {
                #expect(formCookie.contains(attribute), "\(formCookie)")
            }
            let login = try await client.execute(
                uri: "/dashboard/login",
                method: .post,
                headers: [.cookie: "spool_login=\(token)", .contentType: "application/x-www-form-urlencoded"],
                body: formBody([("csrf", token), ("user", testUser), ("password", testPassword)])
            )
            let line = try #require(login.setCookieLine("spool_session"))
            for attribute in ["HttpOnly", "SameSite=Strict", "Path=/"] { #expect(line.contains(attribute), "\(line)") }
            #expect(!line.contains("Secure"), "plain HTTP, no proxy saying HTTPS: \(line)")
            #expect(login.cookie("spool_session")?.count == 64)
        }
        var secure = dashboardSettings
        secure.access.secureCookies = .always
        try await withDashboard(settings: secure) { _, client, _ in
            let form = try await client.execute(uri: "/dashboard/login", method: .get)
            #expect(form.setCookieLine("spool_login")?.contains("Secure") == true)
        }
    }

    @Test func wrongPasswordsAreRefusedAndHeldOffAfterTen() async throws {
        let clock = ManualClock()
        try await withDashboard(clock: clock) { _, client, _ in
            for (user, password) in [(testUser, "wrong"), ("nobody", testPassword)] {
                let form = try await client.execute(uri: "/dashboard/login", method: .get)
                let token = try #require(form.cookie("spool_login"))
                let refused = try await client.execute(
                    uri: "/dashboard/login",
                    method: .post,
                    headers: [.cookie: "spool_login=\(token)", .contentType: "application/x-www-form-urlencoded"],
                    body: formBody([("csrf", token), ("user", user), ("password", password)])
                )
                #expect(refused.status == .unauthorized)
                #expect(refused.text.contains("Wrong user name or password."))
                #expect(refused.cookie("spool_session") == nil)
            }
            for _ in 0..<8 {
                let form = try await client.execute(uri: "/dashboard/login", method: .get)
                let token = try #require(form.cookie("spool_login"))
                _ = try await client.execute(
                    uri: "/dashboard/login",
                    method: .post,
                    headers: [.cookie: "spool_login=\(token)", .contentType: "application/x-www-form-urlencoded"],
                    body: formBody([("csrf", token), ("user", testUser), ("password", "guess")])
                )
            }
            let form = try await client.execute(uri: "/dashboard/login", method: .get)
            let token = try #require(form.cookie("spool_login"))
            let held = try await client.execute(
                uri: "/dashboard/login",
                method: .post,
                headers: [.cookie: "spool_login=\(token)", .contentType: "application/x-www-form-urlencoded"],
                body: formBody([("csrf", token), ("user", testUser), ("password", testPassword)])
            )
            #expect(held.status == .tooManyRequests)
            #expect(held.headers[.retryAfter].flatMap { Int($0) }.map { (1...60).contains($0) } == true)
            #expect(held.text.contains("Too many failed logins"))
            #expect(held.cookie("spool_session") == nil, "the right password waits too")
            // The API's tokens share the count: the peer is held off there as well.
            let api = try await client.execute(uri: "/v1/stats", method: .get, headers: authorized())
            #expect(api.status == .tooManyRequests)
            clock.advance(by: 61)
            _ = try await logIn(client)
        }
    }

    @Test func aLoginFormNotFromThisServerIsRefused() async throws {
        try await withDashboard { _, client, _ in
            let form = try await client.execute(uri: "/dashboard/login", method: .get)
            let token = try #require(form.cookie("spool_login"))
            for (cookie, field) in [("", token), ("spool_login=\(token)", "forged"), ("spool_login=\(token)", "")] {
                let response = try await client.execute(
                    uri: "/dashboard/login",
                    method: .post,
                    headers: [.cookie: cookie, .contentType: "application/x-www-form-urlencoded"],
                    body: formBody([("csrf", field), ("user", testUser), ("password", testPassword)])
                )
                #expect(response.status == .forbidden, "\(cookie) \(field)")
                #expect(response.cookie("spool_session") == nil)
            }
            let crossSite = try await client.execute(
                uri: "/dashboard/login",
                method: .post,
                headers: [
                    .cookie: "spool_login=\(token)", .contentType: "application/x-www-form-urlencoded",
                    .origin: "http://evil.example",
                ],
                body: formBody([("csrf", token), ("user", testUser), ("password", testPassword)])
            )
            #expect(crossSite.status == .forbidden && crossSite.cookie("spool_session") == nil)
        }
    }

    @Test func aFormWithoutItsSessionsTokenOrFromAnotherSiteIsRefused() async throws {
        try await withDashboard { spool, client, _ in
            let id = try spool.enqueue(NewTask(queue: "mail", type: "send"))
            let browser = try await logIn(client)
            let other = try await logIn(client)
            var forgeries: [(HTTPFields, [(String, String)])] = [
                (browser.formHeaders, []),
                (browser.formHeaders, [("csrf", "forged")]),
                (browser.formHeaders, [("csrf", other.formToken)]),
            ]
            // With the right token, but sent by a page of another site, or as text/plain.
            var crossSite = browser.formHeaders
            crossSite[.origin] = "http://evil.example"
            crossSite[.secFetchSiteForTests] = "cross-site"
            forgeries.append((crossSite, [("csrf", browser.formToken)]))
            var plain = browser.formHeaders
            plain[.contentType] = "text/plain"
            forgeries.append((plain, [("csrf", browser.formToken)]))
            for (headers, fields) in forgeries {
                for uri in ["/dashboard/queues/mail/pause", "/dashboard/tasks/\(id)/cancel"] {
                    let response = try await client.execute(
                        uri: uri,
                        method: .post,
                        headers: headers,
                        body: formBody(fields)
                    )
                    #expect(
                        [.forbidden, .unsupportedMediaType].contains(response.status),
                        "\(uri) \(headers) \(fields)"
                    )
                }
            }
            #expect(try spool.pausedQueues().isEmpty)
            #expect(spool.find(id: id)?.state == .active)
        }
    }

    @Test func theLoginLeadsBackOnlyToTheDashboard() async throws {
        try await withDashboard { _, client, _ in
            for (next, location) in [
                ("/dashboard/tasks?state=dead", "/dashboard/tasks?state=dead"), ("//evil.example/", "/dashboard"),
                ("https://evil.example/dashboard", "/dashboard"), ("/dashboard/../v1/stats", "/dashboard"),
                ("/v1/stats", "/dashboard"),
            ] {
                let form = try await client.execute(uri: "/dashboard/login", method: .get)
                let token = try #require(form.cookie("spool_login"))
                let login = try await client.execute(
                    uri: "/dashboard/login",
                    method: .post,
                    headers: [.cookie: "spool_login=\(token)", .contentType: "application/x-www-form-urlencoded"],
                    body: formBody([("csrf", token), ("user", testUser), ("password", testPassword), ("next", next)])
                )
                #expect(login.headers[.location] == location, "\(next)")
            }
        }
    }

    @Test func loggingOutEndsTheSession() async throws {
        try await withDashboard { _, client, _ in
            let browser = try await logIn(client)
            let logout = try await client.execute(
                uri: "/dashboard/logout",
                method: .post,
                headers: browser.formHeaders,
                body: formBody([("csrf", browser.formToken)])
            )
            #expect(logout.status == .seeOther && logout.headers[.location] == "/dashboard/login")
            #expect(logout.setCookieLine("spool_session")?.contains("Max-Age=0") == true)
            let after = try await client.execute(uri: "/dashboard", method: .get, headers: [.cookie: browser.cookie])
            #expect(after.status == .seeOther)
        }
    }

    @Test func aSessionEndsAfterAnHourUnused() async throws {
        let clock = ManualClock()
        try await withDashboard(clock: clock) { _, client, _ in
            let browser = try await logIn(client)
            clock.advance(by: 3000)
            let used = try await client.execute(uri: "/dashboard", method: .get, headers: [.cookie: browser.cookie])
            #expect(used.status == .ok)
            clock.advance(by: 3601)
            let idle = try await client.execute(uri: "/dashboard", method: .get, headers: [.cookie: browser.cookie])
            #expect(idle.status == .seeOther)
        }
    }

    @Test func anOpenAPINeedsNoLoginButFormsStillNeedTheirToken() async throws {
        try await withDashboard(settings: APISettings(access: APIAccess(open: true))) { spool, client, _ in
            try spool.enqueue(NewTask(queue: "mail", type: "send"))
            let overview = try await client.execute(uri: "/dashboard", method: .get)
            #expect(overview.status == .ok)
            #expect(!overview.text.contains("Log out"))
            let session = try #require(overview.cookie("spool_session"))
            let token = try #require(overview.hiddenField("csrf"))
            let login = try await client.execute(uri: "/dashboard/login", method: .get)
            #expect(login.status == .seeOther)
            let browser = Browser(cookie: "spool_session=\(session)", formToken: token)
            let forged = try await client.execute(
                uri: "/dashboard/queues/mail/pause",
                method: .post,
                headers: browser.formHeaders,
                body: formBody([("csrf", "forged")])
            )
            #expect(forged.status == .forbidden)
            let paused = try await client.execute(
                uri: "/dashboard/queues/mail/pause",
                method: .post,
                headers: browser.formHeaders,
                body: formBody([("csrf", browser.formToken)])
            )
            #expect(paused.status == .seeOther)
            #expect(try spool.pausedQueues() == ["mail"])
        }
    }
}
