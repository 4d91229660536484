import HTTPTypes
import Hummingbird
import HummingbirdTesting
import SpoolConfig
import SpoolCore
import SpoolHTTP
import SpoolTestSupport
import Testing

/// Workflows on the dashboard: a group's page with its members and a cancel button, reached from the
/// page of a member or of the callback; a chain's steps on the page of each of its tasks.
@Suite struct DashboardWorkflowTests {
    @Test func aGroupsPageShowsItsMembersAndCancelsIt() async throws {
        try await withDashboard { spool, client, _ in
            try spool.enqueue(
                group: NewGroup(
                    id: "g1",
                    members: [
                        NewTask(id: "m0", type: "a"), NewTask(id: "m1", type: "b", delay: 600),
                        NewTask(id: "m2", queue: "slow", type: "c"),
                    ],
                    callback: [NewTask(id: "cb", type: "sum")]
                )
            )
            try spool.complete(try #require(try spool.claimNext()), result: .string("<ok>"))
            // Running while the group is cancelled: still pending after, but nothing is left to cancel.
            _ = try #require(try spool.claimNext(queue: "slow"))
            let browser = try await logIn(client)
            let member = try await client.execute(
                uri: "/dashboard/tasks/m0",
                method: .get,
                headers: [.cookie: browser.cookie]
            )
            #expect(member.text.contains(#"<a href="/dashboard/groups/g1">group g1</a>"#), "\(member.text)")

            let page = try await client.execute(
                uri: "/dashboard/groups/g1",
                method: .get,
                headers: [.cookie: browser.cookie]
            )
            #expect(page.status == .ok)
            let html = page.text
            #expect(
                html.contains(
                    #"<a class="id" href="/dashboard/tasks/cb">cb</a> <span class="state state-waiting">waiting</span>"#
                )
            )
            #expect(html.contains("<dd>3: 1 succeeded, 0 failed, 2 pending</dd>"))
            #expect(html.contains(#"<a class="id" href="/dashboard/tasks/m0">m0</a>"#))
            #expect(html.contains("<pre>&quot;&lt;ok&gt;&quot;</pre>"), "the result, escaped")
            #expect(html.contains(#"<span class="state state-pending">pending</span>"#))
            #expect(html.contains(#"action="/dashboard/groups/g1/cancel""#))

            let forged = try await client.execute(
                uri: "/dashboard/groups/g1/cancel",
                method: .post,
                headers: browser.formHeaders,
                body: formBody([("csrf", "forged")])
            )
            #expect(forged.status == .forbidden)
            #expect(spool.find(id: "m1")?.state == .scheduled)

            let cancel = try await client.execute(
                uri: "/dashboard/groups/g1/cancel",
                method: .post,
                headers: browser.formHeaders,
                body: formBody([("csrf", browser.formToken)])
            )
            #expect(cancel.status == .seeOther && cancel.headers[.location] == "/dashboard/groups/g1")
            #expect(spool.find(id: "m1")?.state == .dead)
            let after = try await client.execute(
                uri: "/dashboard/groups/g1",
                method: .get,
                headers: [.cookie: browser.cookie]
            )
            #expect(
                after.text.contains(
                    "Group g1 is cancelled: 1 waiting members cancelled, 1 running asked to stop; its callback will not run."
                )
            )
            #expect(!after.text.contains("/cancel\""), "nothing is left to cancel")
            #expect(after.text.contains(#"<span class="state state-cancelled">cancelled</span>"#))

            let missing = try await client.execute(
                uri: "/dashboard/groups/nosuch",
                method: .get,
                headers: [.cookie: browser.cookie]
            )
            #expect(missing.status == .notFound && missing.text.contains("There is no group with id nosuch"))
            let invalid = try await client.execute(
                uri: "/dashboard/groups/..",
                method: .get,
                headers: [.cookie: browser.cookie]
            )
            #expect(invalid.status == .badRequest && invalid.headers[.contentType] == "text/html; charset=utf-8")
        }
    }

    @Test func theCallbacksPageLeadsToItsGroup() async throws {
        try await withDashboard { spool, client, _ in
            try spool.enqueue(
                group: NewGroup(id: "g2", members: [NewTask(type: "a")], callback: [NewTask(id: "after", type: "sum")])
            )
            try spool.complete(try #require(try spool.claimNext()), result: .null)
            #expect(spool.find(id: "after")?.state == .active)
            let browser = try await logIn(client)
            let page = try await client.execute(
                uri: "/dashboard/tasks/after",
                method: .get,
                headers: [.cookie: browser.cookie]
            )
            #expect(page.text.contains(#"<a href="/dashboard/groups/g2">group g2</a>"#), "\(page.text)")
        }
    }

    @Test func aTaskOfAChainShowsEveryStep() async throws {
        try await withDashboard { spool, client, _ in
            try spool.enqueue(chain: [
                NewTask(id: "c1", type: "a"), NewTask(id: "c2", type: "b"), NewTask(id: "c3", type: "c"),
            ])
            try spool.complete(try #require(try spool.claimNext()), result: .null)
            let browser = try await logIn(client)
            let page = try await client.execute(
                uri: "/dashboard/tasks/c2",
                method: .get,
                headers: [.cookie: browser.cookie]
            )
            let html = page.text
            #expect(html.contains("<h2>Chain</h2>"), "\(html)")
            #expect(
                html.contains(
                    #"<a class="id" href="/dashboard/tasks/c1">c1</a></td><td><span class="state state-done">done</span>"#
                )
            )
            #expect(
                html.contains(
                    #"<span class="id">c2</span> (this task)</td><td><span class="state state-active">active</span>"#
                )
            )
            #expect(
                html.contains(
                    #"<a class="id" href="/dashboard/tasks/c3">c3</a></td><td><span class="muted">not enqueued yet</span>"#
                )
            )
            #expect(html.contains(#"<dt>Parent</dt><dd><a class="id" href="/dashboard/tasks/c1">c1</a></dd>"#))

            let alone = try spool.enqueue(NewTask(type: "plain"))
            let plain = try await client.execute(
                uri: "/dashboard/tasks/\(alone)",
                method: .get,
                headers: [.cookie: browser.cookie]
            )
            #expect(!plain.text.contains("<h2>Chain</h2>") && !plain.text.contains("/dashboard/groups/"))
        }
    }
}
