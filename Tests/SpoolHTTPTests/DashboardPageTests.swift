import HTTPTypes
import Hummingbird
import HummingbirdTesting
import SpoolConfig
import SpoolCore
import SpoolCron
import SpoolHTTP
import SpoolTestSupport
import Testing

/// Each page of the dashboard renders what the spool holds, as HTML that carries no inline script or
/// style, and escapes whatever came from a task.
@Suite struct DashboardPageTests {
    @Test func theOverviewShowsCountsChartsAndQueues() async throws {
        try await withDashboard { spool, client, history in
            try spool.enqueue(NewTask(queue: "mail", type: "send"))
            try spool.enqueue(NewTask(queue: "media", type: "resize", delay: 3600))
            history.record(spool.stats())
            try finish(spool, queue: "mail", error: nil)
            try spool.enqueue(NewTask(queue: "mail", type: "send"))
            try finish(spool, queue: "mail", error: "smtp refused")
            history.record(spool.stats().advanced(by: 5))
            let browser = try await logIn(client)
            let page = try await client.execute(uri: "/dashboard", method: .get, headers: [.cookie: browser.cookie])
            #expect(page.status == .ok)
            #expect(page.headers[.contentType] == "text/html; charset=utf-8")
            let html = page.text
            #expect(html.occurrences(of: #"<svg class="chart""#) == 3, "three charts")
            #expect(html.contains(#"<rect class="chart-bar throughput""#) && html.contains("chart-bar failures"))
            #expect(html.contains(#"<polyline class="chart-line lateness""#))
            #expect(html.contains(#"href="/dashboard/tasks?state=dead&amp;queue=mail">1</a>"#))
            #expect(html.contains(#"href="/dashboard/tasks?queue=media">media</a>"#))
            #expect(html.contains(#"action="/dashboard/queues/mail/pause""#))
            #expect(html.contains("history since this server started"))
        }
    }

    @Test func pausingAQueueShowsOnTheOverviewAtOnce() async throws {
        try await withDashboard { spool, client, _ in
            try spool.enqueue(NewTask(queue: "mail", type: "send"))
            let browser = try await logIn(client)
            let pause = try await client.execute(
                uri: "/dashboard/queues/mail/pause",
                method: .post,
                headers: browser.formHeaders,
                body: formBody([("csrf", browser.formToken)])
            )
            #expect(pause.status == .seeOther && pause.headers[.location] == "/dashboard")
            #expect(try spool.pausedQueues() == ["mail"])
            let page = try await client.execute(uri: "/dashboard", method: .get, headers: [.cookie: browser.cookie])
            #expect(page.text.contains("Queue mail paused."))
            #expect(page.text.contains(#"<span class="paused">paused</span>"#))
            #expect(page.text.contains(#"action="/dashboard/queues/mail/resume""#))
            let again = try await client.execute(uri: "/dashboard", method: .get, headers: [.cookie: browser.cookie])
            #expect(!again.text.contains("Queue mail paused."), "a message is shown once")
            // A paused queue that holds no task is listed, to be resumed.
            try spool.pause("empty")
            let empty = try await client.execute(uri: "/dashboard", method: .get, headers: [.cookie: browser.cookie])
            #expect(empty.text.contains(#"action="/dashboard/queues/empty/resume""#))
            let bad = try await client.execute(
                uri: "/dashboard/queues/..%2Fetc/pause",
                method: .post,
                headers: browser.formHeaders,
                body: formBody([("csrf", browser.formToken)])
            )
            #expect(bad.status == .badRequest && bad.text.contains("queue: must match"))
        }
    }

    @Test func theListFindsFailedTasksByErrorTextPageByPage() async throws {
        try await withDashboard { spool, client, _ in
            for index in 0..<60 {
                try spool.enqueue(NewTask(queue: "pay", type: "charge", payload: .integer(Int64(index))))
                try finish(spool, queue: "pay", error: index % 2 == 0 ? "card declined by the bank" : "gateway timeout")
            }
            let browser = try await logIn(client)
            // As the form sends it: every field, the empty ones too, and `+` for a space.
            let first = try await client.execute(
                uri: "/dashboard/tasks?state=dead&queue=&type=&key=&error=card+declined&created_after=&order=oldest",
                method: .get,
                headers: [.cookie: browser.cookie]
            )
            #expect(first.status == .ok)
            #expect(first.text.occurrences(of: "card declined by the bank</td>") == 30)
            #expect(!first.text.contains("gateway timeout"))
            #expect(first.text.contains(#"value="card declined""#), "the filter is shown as typed")

            var all = try await client.execute(
                uri: "/dashboard/tasks?state=dead",
                method: .get,
                headers: [.cookie: browser.cookie]
            )
            #expect(all.text.occurrences(of: #"<a class="id""#) == 50)
            let nextLink = try #require(Self.link(rel: "next", in: all.text))
            all = try await client.execute(uri: nextLink, method: .get, headers: [.cookie: browser.cookie])
            #expect(all.text.occurrences(of: #"<a class="id""#) == 10)
            #expect(all.text.contains("First page") && Self.link(rel: "next", in: all.text) == nil)

            let invalid = try await client.execute(
                uri: "/dashboard/tasks?due_after=yesterday",
                method: .get,
                headers: [.cookie: browser.cookie]
            )
            #expect(invalid.status == .badRequest && invalid.text.contains("due_after: must be"))
        }
    }

    @Test func theTaskPageShowsPayloadAttemptsAndTheActionsItsStateAllows() async throws {
        try await withDashboard { spool, client, _ in
            let id = try spool.enqueue(
                NewTask(queue: "pay", type: "charge", payload: .object([JSONMember("order", .integer(42))]))
            )
            try finish(spool, queue: "pay", error: "card declined by the bank")
            let browser = try await logIn(client)
            let page = try await client.execute(
                uri: "/dashboard/tasks/\(id)",
                method: .get,
                headers: [.cookie: browser.cookie]
            )
            #expect(page.status == .ok)
            let html = page.text
            #expect(html.contains(#"<span id="task-state" class="state state-dead">dead</span>"#))
            #expect(html.contains("<pre>{\n  &quot;order&quot;: 42\n}</pre>"), "\(html)")
            #expect(html.contains("<pre>card declined by the bank</pre>"))
            #expect(html.contains(#"action="/dashboard/tasks/\#(id)/retry""#))
            #expect(!html.contains("/reschedule"), "a dead task cannot be rescheduled")

            let missing = try await client.execute(
                uri: "/dashboard/tasks/nosuch",
                method: .get,
                headers: [.cookie: browser.cookie]
            )
            #expect(missing.status == .notFound && missing.text.contains("There is no task with id nosuch"))
            let invalid = try await client.execute(
                uri: "/dashboard/tasks/..",
                method: .get,
                headers: [.cookie: browser.cookie]
            )
            #expect(invalid.status == .badRequest && invalid.headers[.contentType] == "text/html; charset=utf-8")
        }
    }

    @Test func eachActionChangesTheTaskAndSaysSo() async throws {
        try await withDashboard { spool, client, _ in
            let browser = try await logIn(client)
            let dead = try spool.enqueue(NewTask(queue: "pay", type: "charge"))
            try finish(spool, queue: "pay", error: "declined")
            let retried = try await post(client, browser, "/dashboard/tasks/\(dead)/retry")
            #expect(retried.status == .seeOther && retried.headers[.location] == "/dashboard/tasks/\(dead)")
            #expect(spool.find(id: dead)?.state == .active)
            let shown = try await client.execute(
                uri: "/dashboard/tasks/\(dead)",
                method: .get,
                headers: [.cookie: browser.cookie]
            )
            #expect(shown.text.contains("Task \(dead) is due now."))

            let later = try spool.enqueue(NewTask(queue: "pay", type: "charge", delay: 3600))
            _ = try await post(client, browser, "/dashboard/tasks/\(later)/reschedule", [("when", "+2h")])
            let due = try #require(spool.find(id: later)?.due)
            #expect(due.milliseconds - spool.clock.now.milliseconds > 7_000_000)
            let badTime = try await post(client, browser, "/dashboard/tasks/\(later)/reschedule", [("when", "soon")])
            #expect(badTime.status == .badRequest)
            _ = try await post(client, browser, "/dashboard/tasks/\(later)/cancel")
            #expect(spool.find(id: later)?.state == .dead)
            let wrong = try await post(client, browser, "/dashboard/tasks/\(later)/cancel")
            #expect(wrong.status == .conflict && wrong.text.contains("already finished"))
        }
    }

    @Test func theEnqueueFormEnqueuesOrShowsWhyNot() async throws {
        try await withDashboard { spool, client, _ in
            let browser = try await logIn(client)
            let form = try await client.execute(
                uri: "/dashboard/enqueue",
                method: .get,
                headers: [.cookie: browser.cookie]
            )
            #expect(form.status == .ok && form.text.contains(#"name="payload""#))
            let made = try await post(
                client,
                browser,
                "/dashboard/enqueue",
                [
                    ("queue", "mail"), ("type", "send"), ("payload", #"{"to": "a@example.com"}"#), ("key", "order-7"),
                    ("when", "+1h"), ("max_attempts", "3"),
                ]
            )
            #expect(made.status == .seeOther)
            let id = try #require(made.headers[.location].map { String($0.dropFirst("/dashboard/tasks/".count)) })
            let location = try #require(spool.find(id: id))
            #expect(location.state == .scheduled && location.queue == "mail")
            let record = try spool.record(at: location)
            #expect(
                record.payload["to"] == .string("a@example.com") && record.key == "order-7" && record.maxAttempts == 3
            )

            for (fields, reason) in [
                ([("queue", "mail"), ("type", "send"), ("payload", "{not json")], "Payload: not JSON"),
                ([("queue", "Mail"), ("type", "send"), ("payload", "{}")], "queue: must match"),
                ([("queue", "mail"), ("type", "send"), ("when", "someday")], "Run at: must be"),
            ] {
                let refused = try await post(client, browser, "/dashboard/enqueue", fields)
                #expect(refused.status == .badRequest, "\(fields)")
                #expect(refused.text.contains(reason), "\(refused.text)")
                #expect(refused.text.contains(#"value="send""#), "the form keeps what was typed")
            }
        }
    }

    @Test func theCronPageShowsNextFiresAndPauses() async throws {
        let entry = try CronEntry(name: "nightly", spec: "0 30 2 * * *", task: [JSONMember("type", .string("report"))])
        try await withDashboard(cron: [entry]) { spool, client, _ in
            let browser = try await logIn(client)
            let page = try await client.execute(
                uri: "/dashboard/cron",
                method: .get,
                headers: [.cookie: browser.cookie]
            )
            #expect(page.status == .ok)
            #expect(page.text.contains("<strong>nightly</strong>") && page.text.contains("<code>0 30 2 * * *</code>"))
            #expect(page.text.occurrences(of: ":30:00<br>") == 3, "the next three fires")
            let paused = try await post(client, browser, "/dashboard/cron/nightly/pause")
            #expect(paused.headers[.location] == "/dashboard/cron")
            #expect(spool.pausedCronEntries() == ["nightly"])
        }
    }

    @Test func theRejectedPageListsDropsAndSubmitsOneAgain() async throws {
        try await withDashboard { spool, client, _ in
            try SpoolFiles.write("{not a task", to: "\(spool.root)/incoming/order 17.json")
            _ = try spool.ingest("order 17.json")
            let browser = try await logIn(client)
            let page = try await client.execute(
                uri: "/dashboard/rejected",
                method: .get,
                headers: [.cookie: browser.cookie]
            )
            #expect(page.text.contains(#"<td class="id">order 17.json</td>"#))
            let again = try await post(client, browser, "/dashboard/rejected/resubmit", [("name", "order 17.json")])
            #expect(again.status == .seeOther)
            let shown = try await client.execute(
                uri: "/dashboard/rejected",
                method: .get,
                headers: [.cookie: browser.cookie]
            )
            #expect(shown.text.contains("order 17.json was rejected again"))
            let outside = try await post(client, browser, "/dashboard/rejected/resubmit", [("name", "../spool.yaml")])
            #expect(outside.status == .badRequest)
        }
    }

    @Test func whatATaskBringsIsEscapedOnEveryPage() async throws {
        try await withDashboard { spool, client, _ in
            let script = "<script>alert(1)</script>"
            let id = try spool.enqueue(
                NewTask(queue: "pay", type: script, payload: .object([JSONMember(script, .string(script))]))
            )
            try finish(spool, queue: "pay", error: "\"><img src=x onerror=alert(2)>" + script)
            let browser = try await logIn(client)
            for uri in [
                "/dashboard/tasks/\(id)", "/dashboard/tasks?state=dead", "/dashboard/tasks?error=%3Cscript%3E",
                "/dashboard/tasks?type=%3Cscript%3Ealert(1)%3C%2Fscript%3E",
            ] {
                let page = try await client.execute(uri: uri, method: .get, headers: [.cookie: browser.cookie])
                #expect(page.status == .ok, "\(uri)")
                #expect(!page.text.contains("<script>alert") && !page.text.contains("<img"), "\(uri)")
                #expect(page.text.contains("&lt;script&gt;alert(1)&lt;/script&gt;"), "\(uri)")
            }
        }
    }

    @Test func pagesCarryNoInlineScriptOrStyleAndTheAssetsAreServed() async throws {
        try await withDashboard { spool, client, _ in
            try spool.enqueue(NewTask(queue: "mail", type: "send"))
            let browser = try await logIn(client)
            for uri in [
                "/dashboard", "/dashboard/tasks", "/dashboard/enqueue", "/dashboard/cron", "/dashboard/rejected",
            ] {
                let page = try await client.execute(uri: uri, method: .get, headers: [.cookie: browser.cookie])
                #expect(page.status == .ok, "\(uri)")
                let policy = page.headers[.contentSecurityPolicy] ?? ""
                #expect(policy.contains("script-src 'self'") && !policy.contains("unsafe-inline"))
                #expect(page.headers[.xContentTypeOptions] == "nosniff")
                #expect(page.headers[.cacheControl] == "no-store")
                #expect(page.text.occurrences(of: "<script") == 1, "\(uri)")
                #expect(
                    page.text.occurrences(of: #"<script src="/dashboard/assets/dashboard.js" defer></script>"#) == 1
                )
                #expect(!page.text.contains("style="), "\(uri)")
            }
            for (uri, type) in [
                ("/dashboard/assets/dashboard.css", "text/css; charset=utf-8"),
                ("/dashboard/assets/dashboard.js", "text/javascript; charset=utf-8"),
            ] {
                let asset = try await client.execute(uri: uri, method: .get)
                #expect(asset.status == .ok && asset.headers[.contentType] == type)
            }
        }
    }

    /// Posts a dashboard form with the session's token and `fields`.
    private func post(
        _ client: some TestClientProtocol,
        _ browser: Browser,
        _ uri: String,
        _ fields: [(String, String)] = []
    ) async throws -> TestResponse {
        try await client.execute(
            uri: uri,
            method: .post,
            headers: browser.formHeaders,
            body: formBody([("csrf", browser.formToken)] + fields)
        )
    }

    /// The `href` of the link `rel` on the page, its `&amp;` read as `&`.
    private static func link(rel: String, in html: String) -> String? {
        guard let end = html.firstRange(of: #"" rel="\#(rel)">"#) else { return nil }
        let before = html[..<end.lowerBound]
        guard let start = before.ranges(of: #"href=""#).last else { return nil }
        return String(before[start.upperBound...]).replacing("&amp;", with: "&")
    }
}

/// Claims the oldest task of `queue` and finishes it: done, or dead with `error`.
func finish(_ spool: Spool, queue: String, error: String?) throws {
    let task = try #require(try spool.claimNext(queue: queue))
    if let error { try spool.fail(task, error: error, permanent: true) } else { try spool.complete(task) }
}

extension SpoolStats {
    /// The same counts, as if taken `seconds` later.
    func advanced(by seconds: Double) -> SpoolStats {
        var stats = self
        stats.now = now.adding(seconds: seconds)
        return stats
    }
}
