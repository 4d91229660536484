import Hummingbird
import HummingbirdTesting
import SpoolConfig
import SpoolCore
import SpoolHTTP
import SpoolTestSupport
import Testing

/// `/v1/tasks`: enqueue one and many, look up, list with filters and cursor, results, steering; every error
/// as JSON in one shape.
@Suite struct TaskRouteTests {
    @Test func enqueueLookUpAndListPageByPage() async throws {
        try await withAPI { spool, client in
            let created = try await client.execute(
                uri: "/v1/tasks",
                method: .post,
                headers: authorized(json: true),
                body: jsonBody(#"{"id":"one","queue":"mail","type":"send","payload":{"to":"a@example.com"}}"#)
            )
            #expect(created.status == .created)
            #expect(
                created.json
                    == .object([
                        JSONMember("id", .string("one")), JSONMember("queue", .string("mail")),
                        JSONMember("state", .string("active")),
                    ])
            )
            #expect(created.headers[.contentType] == "application/json")
            #expect(created.headers[.xContentTypeOptions] == "nosniff")

            let again = try await client.execute(
                uri: "/v1/tasks",
                method: .post,
                headers: authorized(json: true),
                body: jsonBody(#"{"id":"one","queue":"mail","type":"send"}"#)
            )
            #expect(again.status == .conflict && again.json["error"]?["code"] == .string("conflict"))

            let batch = try await client.execute(
                uri: "/v1/tasks/batch",
                method: .post,
                headers: authorized(json: true),
                body: jsonBody(
                    "["
                        + (0..<12).map { #"{"queue":"mail","type":"send","delay":\#(60 * $0 + 60)}"# }
                        .joined(separator: ",") + "]"
                )
            )
            #expect(batch.status == .created)
            #expect(batch.json["ids"]?.arrayValue?.count == 12)

            let shown = try await client.execute(uri: "/v1/tasks/one", method: .get, headers: authorized())
            #expect(shown.status == .ok)
            #expect(shown.json["payload"]?["to"] == .string("a@example.com"))
            #expect(shown.json["state"] == .string("active") && shown.json["path"] == nil)

            var seen: [String] = []
            var uri = "/v1/tasks?queue=mail&limit=5"
            for _ in 0..<5 {
                let page = try await client.execute(uri: uri, method: .get, headers: authorized())
                #expect(page.status == .ok)
                seen += page.json["tasks"]?.arrayValue?.compactMap { $0["id"]?.stringValue } ?? []
                guard let next = page.json["next"]?.stringValue else { break }
                #expect(page.json["more"] == .bool(true))
                uri = "/v1/tasks?queue=mail&limit=5&cursor=\(next)"
            }
            #expect(seen.count == 13 && Set(seen).count == 13 && seen.first == "one")

            let scheduled = try await client.execute(
                uri: "/v1/tasks?state=scheduled&due_before=%2B330s&order=newest",
                method: .get,
                headers: authorized()
            )
            #expect(scheduled.json["tasks"]?.arrayValue?.count == 5, "\(scheduled.json)")
            _ = spool
        }
    }

    @Test func badRequestsGetAReasonNamingTheField() async throws {
        try await withAPI { _, client in
            let cases:
                [(uri: String, method: HTTPRequest.Method, body: String?, status: HTTPResponse.Status, field: String?)] =
                    [
                        ("/v1/tasks", .post, #"{"queue":"Bad Queue","type":"t"}"#, .badRequest, "queue"),
                        ("/v1/tasks", .post, #"{"queue":"q"}"#, .badRequest, "type"),
                        ("/v1/tasks", .post, "not json", .badRequest, nil),
                        ("/v1/tasks/batch", .post, "[]", .badRequest, nil),
                        ("/v1/tasks/batch", .post, #"[{"type":"a"},{"type":"b","queue":"NO"}]"#, .badRequest, "queue"),
                        ("/v1/tasks?state=lost", .get, nil, .badRequest, "state"),
                        ("/v1/tasks?queue=..%2Fetc", .get, nil, .badRequest, "queue"),
                        ("/v1/tasks?limit=0", .get, nil, .badRequest, "limit"),
                        ("/v1/tasks?limit=5000", .get, nil, .badRequest, "limit"),
                        ("/v1/tasks?cursor=zz", .get, nil, .badRequest, "cursor"),
                        ("/v1/tasks?due_after=yesterday", .get, nil, .badRequest, "due_after"),
                        ("/v1/tasks?where=novalue", .get, nil, .badRequest, "where"),
                        ("/v1/tasks?colour=red", .get, nil, .badRequest, "colour"),
                        ("/v1/tasks?queue=a&queue=b", .get, nil, .badRequest, "queue"),
                        ("/v1/tasks/bad%2Fid", .get, nil, .badRequest, "id"),
                        ("/v1/tasks/..", .get, nil, .badRequest, "id"),
                        ("/v1/tasks/nosuch", .get, nil, .notFound, nil),
                        ("/v1/tasks/nosuch/result?wait=1h", .get, nil, .badRequest, "wait"),
                        ("/v1/tasks/nosuch/cancel", .post, nil, .notFound, nil),
                        ("/v1/tasks/nosuch/reschedule", .post, #"{"delay":-1}"#, .badRequest, "delay"),
                        ("/v1/queues/UPPER/pause", .post, nil, .badRequest, "queue"),
                        ("/v1/cron/bad%20name/pause", .post, nil, .badRequest, "name"),
                        ("/v1/rejected/..%2Fspool.yaml/resubmit", .post, nil, .badRequest, "name"),
                        ("/v1/nothing-here", .get, nil, .notFound, nil),
                        ("/v2/tasks", .get, nil, .notFound, nil),
                    ]
            for item in cases {
                let response = try await client.execute(
                    uri: item.uri,
                    method: item.method,
                    headers: authorized(json: item.body != nil),
                    body: item.body.map(jsonBody)
                )
                #expect(response.status == item.status, "\(item.uri): \(response.status) \(response.json)")
                #expect(response.headers[.contentType] == "application/json", "\(item.uri)")
                let error = response.json["error"]
                #expect(error?["code"]?.stringValue?.isEmpty == false, "\(item.uri): \(response.json)")
                #expect(error?["message"]?.stringValue?.isEmpty == false, "\(item.uri)")
                #expect(error?["field"]?.stringValue == item.field, "\(item.uri): \(response.json)")
            }
        }
    }

    @Test func bodiesTooLargeOrNotJSONAreRefusedWithAReason() async throws {
        try await withAPI { _, client in
            let big = #"{"type":"t","payload":""# + String(repeating: "x", count: 1 << 20) + #""}"#
            let large = try await client.execute(
                uri: "/v1/tasks",
                method: .post,
                headers: authorized(json: true),
                body: jsonBody(big)
            )
            #expect(large.status == .contentTooLarge)
            #expect(large.json["error"]?["code"] == .string("too_large"))

            let plain = try await client.execute(
                uri: "/v1/tasks",
                method: .post,
                headers: authorized([.contentType: "text/plain"]),
                body: jsonBody(#"{"type":"t"}"#)
            )
            #expect(plain.status == .unsupportedMediaType)
        }
    }

    @Test func resultWaitsForTheOutcome() async throws {
        try await withAPI { spool, client in
            try spool.enqueue(NewTask(id: "job", queue: "q", type: "t"))
            let pending = try await client.execute(uri: "/v1/tasks/job/result", method: .get, headers: authorized())
            #expect(pending.status == .accepted && pending.json["state"] == .string("active"))
            let finisher = Task {
                try await Task.sleep(for: .milliseconds(300))
                let task = try #require(try spool.claimNext(queue: "q"))
                try spool.complete(task, result: .object([JSONMember("sum", .integer(7))]))
            }
            let done = try await client.execute(
                uri: "/v1/tasks/job/result?wait=20s",
                method: .get,
                headers: authorized()
            )
            try await finisher.value
            #expect(done.status == .ok)
            #expect(done.json["state"] == .string("done") && done.json["result"]?["sum"] == .integer(7))
        }
    }

    @Test func steeringAndQueues() async throws {
        try await withAPI { spool, client in
            try spool.enqueue(NewTask(id: "later", queue: "q", type: "t", delay: 3600))
            let moved = try await client.execute(
                uri: "/v1/tasks/later/reschedule",
                method: .post,
                headers: authorized(json: true),
                body: jsonBody(#"{"delay":0}"#)
            )
            #expect(moved.status == .ok && moved.json["state"] == .string("active"))
            let cancelled = try await client.execute(
                uri: "/v1/tasks/later/cancel",
                method: .post,
                headers: authorized()
            )
            #expect(cancelled.status == .ok && cancelled.json["state"] == .string("dead"))
            let retried = try await client.execute(uri: "/v1/tasks/later/retry", method: .post, headers: authorized())
            #expect(retried.status == .ok && retried.json["state"] == .string("active"))
            let paused = try await client.execute(uri: "/v1/queues/q/pause", method: .post, headers: authorized())
            let pausedQueues = try spool.pausedQueues()
            #expect(paused.status == .ok && pausedQueues.contains("q"))
            let stats = try await client.execute(uri: "/v1/stats", method: .get, headers: authorized())
            #expect(stats.json["paused"] == .array([.string("q")]), "\(stats.json)")
        }
    }
}

/// Concurrent single-task enqueues, committed in groups, each answered on its own.
@Suite struct GroupCommitTests {
    @Test func concurrentRequestsAreEachAcceptedOrRefusedAlone() async throws {
        try await withAPI { spool, client in
            // 64 requests at once over 40 ids: the first of each id accepted, the other 24 refused.
            let statuses = try await withThrowingTaskGroup(of: (Int, HTTPResponse.Status).self) { group in
                for index in 0..<64 {
                    group.addTask {
                        let response = try await client.execute(
                            uri: "/v1/tasks",
                            method: .post,
                            headers: authorized(json: true),
                            body: jsonBody(#"{"id":"t\#(index % 40)","queue":"q","type":"t"}"#)
                        )
                        return (index % 40, response.status)
                    }
                }
                return try await group.reduce(into: [Int: [HTTPResponse.Status]]()) {
                    $0[$1.0, default: []].append($1.1)
                }
            }
            #expect(statuses.count == 40)
            for (id, answers) in statuses {
                #expect(answers.filter { $0 == .created }.count == 1, "t\(id): \(answers)")
                #expect(answers.allSatisfy { $0 == .created || $0 == .conflict }, "t\(id): \(answers)")
            }
            #expect(spool.stats().queues.first?[.active] == 40)
        }
    }
}
