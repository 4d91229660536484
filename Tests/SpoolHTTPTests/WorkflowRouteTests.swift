import Hummingbird
import HummingbirdTesting
import SpoolConfig
import SpoolCore
import SpoolHTTP
import SpoolTestSupport
import Testing

/// `/v1/groups` and `/v1/chains`: enqueue a group, list and look up groups, see a chain's steps, cancel
/// either; a chain enqueued through `/v1/tasks`; the workflow fields of a task.
@Suite struct WorkflowRouteTests {
    @Test func aGroupIsEnqueuedListedShownAndCancelled() async throws {
        try await withAPI { spool, client in
            let document =
                #"{"id":"g1","group":[{"id":"m0","type":"a"},{"id":"m1","type":"b"}],"callback":{"id":"cb","type":"sum"}}"#
            let created = try await client.execute(
                uri: "/v1/groups",
                method: .post,
                headers: authorized(json: true),
                body: jsonBody(document)
            )
            #expect(created.status == .created, "\(created.json)")
            #expect(
                created.json
                    == .object([
                        JSONMember("id", .string("g1")), JSONMember("members", .array([.string("m0"), .string("m1")])),
                        JSONMember("callback", .array([.string("cb")])),
                    ])
            )
            let again = try await client.execute(
                uri: "/v1/groups",
                method: .post,
                headers: authorized(json: true),
                body: jsonBody(document)
            )
            #expect(again.status == .conflict && again.json["error"]?["code"] == .string("conflict"), "\(again.json)")

            let member = try #require(try spool.claimNext())
            try spool.complete(member, result: .string("first"))
            let shown = try await client.execute(uri: "/v1/groups/g1", method: .get, headers: authorized())
            #expect(shown.status == .ok)
            #expect(shown.json["pending"] == .integer(1) && shown.json["succeeded"] == .integer(1))
            #expect(
                shown.json["callback"]
                    == .object([JSONMember("id", .string("cb")), JSONMember("state", .string("waiting"))])
            )
            #expect(
                shown.json["members"]?.arrayValue?.first
                    == .object([
                        JSONMember("index", .integer(0)), JSONMember("id", .string("m0")),
                        JSONMember("state", .string("done")), JSONMember("result", .string("first")),
                    ])
            )
            #expect(shown.json["members"]?.arrayValue?.last?["state"] == .null)
            #expect(shown.json["cancelled"] == .bool(false) && shown.json["run_callback"] == .string("all_succeeded"))

            try spool.enqueue(group: NewGroup(id: "g2", members: [NewTask(type: "c")]))
            let first = try await client.execute(uri: "/v1/groups?limit=1", method: .get, headers: authorized())
            #expect(first.json["groups"]?.arrayValue?.map { $0["id"] } == [.string("g1")])
            let listed = first.json["groups"]?.arrayValue?.first
            #expect(listed?["size"] == .integer(2) && listed?["members"] == nil)
            #expect(first.json["more"] == .bool(true) && first.json["next"] == .string("g1"))
            let second = try await client.execute(
                uri: "/v1/groups?limit=1&cursor=g1",
                method: .get,
                headers: authorized()
            )
            #expect(second.json["groups"]?.arrayValue?.map { $0["id"] } == [.string("g2")])
            #expect(second.json["more"] == .bool(false) && second.json["next"] == nil)
            let newest = try await client.execute(uri: "/v1/groups?order=newest", method: .get, headers: authorized())
            #expect(newest.json["groups"]?.arrayValue?.map { $0["id"] } == [.string("g2"), .string("g1")])

            let cancelled = try await client.execute(
                uri: "/v1/groups/g1/cancel",
                method: .post,
                headers: authorized()
            )
            #expect(cancelled.status == .ok)
            #expect(
                cancelled.json
                    == .object([
                        JSONMember("id", .string("g1")), JSONMember("outcome", .string("cancelled")),
                        JSONMember("cancelled", .integer(1)), JSONMember("requested", .integer(0)),
                        JSONMember("callback_cancelled", .bool(true)),
                    ])
            )
            #expect(spool.find(id: "m1")?.state == .dead)
            let after = try await client.execute(uri: "/v1/groups/g1", method: .get, headers: authorized())
            #expect(after.json["callback"]?["state"] == .string("cancelled") && after.json["cancelled"] == .bool(true))
        }
    }

    @Test func aChainIsEnqueuedAsATaskAndShownStepByStep() async throws {
        try await withAPI { spool, client in
            let created = try await client.execute(
                uri: "/v1/tasks",
                method: .post,
                headers: authorized(json: true),
                body: jsonBody(#"{"chain":[{"id":"s1","type":"a"},{"id":"s2","type":"b"},{"id":"s3","type":"c"}]}"#)
            )
            #expect(created.status == .created, "\(created.json)")
            #expect(created.json["id"] == .string("s1"))
            let task = try await client.execute(uri: "/v1/tasks/s1", method: .get, headers: authorized())
            #expect(task.json["on_success_ids"] == .array([.string("s2"), .string("s3")]))
            #expect(task.json["parent"] == nil && task.json["workflow"] == nil)

            try spool.complete(try #require(try spool.claimNext()), result: .integer(1))
            let step = try await client.execute(uri: "/v1/tasks/s2", method: .get, headers: authorized())
            #expect(step.json["parent"] == .string("s1") && step.json["workflow"] == .string("s1"))
            #expect(step.json["on_success_ids"] == .array([.string("s3")]))

            let chain = try await client.execute(uri: "/v1/chains/s1", method: .get, headers: authorized())
            #expect(chain.status == .ok)
            #expect(
                chain.json
                    == .object([
                        JSONMember("id", .string("s1")),
                        JSONMember(
                            "steps",
                            .array([
                                .object([JSONMember("id", .string("s1")), JSONMember("state", .string("done"))]),
                                .object([JSONMember("id", .string("s2")), JSONMember("state", .string("active"))]),
                                .object([JSONMember("id", .string("s3")), JSONMember("state", .null)]),
                            ])
                        ),
                    ])
            )
            let cancelled = try await client.execute(uri: "/v1/chains/s1/cancel", method: .post, headers: authorized())
            #expect(cancelled.status == .ok)
            #expect(cancelled.json["cancelled"] == .integer(1) && cancelled.json["outcome"] == .string("cancelled"))
            #expect(spool.find(id: "s2")?.state == .dead && spool.find(id: "s3") == nil)

            try spool.enqueue(group: NewGroup(id: "g", members: [NewTask(id: "member", type: "m")]))
            let member = try await client.execute(uri: "/v1/tasks/member", method: .get, headers: authorized())
            #expect(member.json["group"] == .string("g") && member.json["group_index"] == .integer(0))
            #expect(member.json["workflow"] == .string("g") && member.json["on_success_ids"] == nil)
        }
    }

    @Test func badWorkflowRequestsGetAReasonNamingTheField() async throws {
        try await withAPI { spool, client in
            let cases:
                [(uri: String, method: HTTPRequest.Method, body: String?, status: HTTPResponse.Status, field: String?)] =
                    [
                        ("/v1/groups", .post, #"{"group":[]}"#, .badRequest, "group"),
                        ("/v1/groups", .post, #"{"type":"t"}"#, .badRequest, "group"),
                        ("/v1/groups", .post, "[1]", .badRequest, nil),
                        (
                            "/v1/groups", .post, #"{"group":[{"type":"a"}],"run_callback":"soon"}"#, .badRequest,
                            "run_callback"
                        ),
                        ("/v1/groups", .post, #"{"group":[{"type":"a"}],"id":"a/b"}"#, .badRequest, "id"),
                        ("/v1/groups", .post, #"{"group":[{"type":"a"}],"callback":7}"#, .badRequest, "callback"),
                        ("/v1/groups", .post, #"{"group":[{"type":"a"}],"colour":"red"}"#, .badRequest, "colour"),
                        ("/v1/tasks", .post, #"{"chain":[]}"#, .badRequest, "chain"),
                        ("/v1/tasks", .post, #"{"chain":[{"type":"a"}],"queue":"q"}"#, .badRequest, "chain"),
                        ("/v1/groups?limit=0", .get, nil, .badRequest, "limit"),
                        ("/v1/groups?cursor=a%2Fb", .get, nil, .badRequest, "cursor"),
                        ("/v1/groups?order=random", .get, nil, .badRequest, "order"),
                        ("/v1/groups?state=done", .get, nil, .badRequest, "state"),
                        ("/v1/groups/..", .get, nil, .badRequest, "id"),
                        ("/v1/groups/nosuch", .get, nil, .notFound, nil),
                        ("/v1/groups/nosuch/cancel", .post, nil, .notFound, nil),
                        ("/v1/chains/nosuch", .get, nil, .notFound, nil),
                        ("/v1/chains/bad%20id/cancel", .post, nil, .badRequest, "id"),
                        ("/v1/chains/nosuch/cancel", .post, nil, .notFound, nil),
                    ]
            for item in cases {
                let response = try await client.execute(
                    uri: item.uri,
                    method: item.method,
                    headers: authorized(json: item.body != nil),
                    body: item.body.map(jsonBody)
                )
                #expect(response.status == item.status, "\(item.uri) \(item.body ?? ""): \(response.json)")
                #expect(response.json["error"]?["field"]?.stringValue == item.field, "\(item.uri): \(response.json)")
            }
            let plain = try await client.execute(
                uri: "/v1/groups",
                method: .post,
                headers: authorized([.contentType: "text/plain"]),
                body: jsonBody(#"{"group":[{"type":"a"}]}"#)
            )
            #expect(plain.status == .unsupportedMediaType)
            let huge = try await client.execute(
                uri: "/v1/groups",
                method: .post,
                headers: authorized(json: true),
                body: jsonBody(
                    #"{"group":[{"type":"a","payload":""#
                        + String(repeating: "x", count: spool.configuration.maximumTaskBytes)
                        + #""}]}"#
                )
            )
            #expect(huge.status == .contentTooLarge && huge.json["error"]?["code"] == .string("too_large"))
            #expect(spool.groupIDs().isEmpty)
        }
    }
}
