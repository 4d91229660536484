import Hummingbird
import HummingbirdTesting
import SpoolConfig
import SpoolCore
import SpoolHTTP
import SpoolTestSupport
import Testing

/// `POST /api/task/save`, as the old delay queue's producers call it with `curl -d`.
@Suite struct DelayQueueRouteTests {
    @Test func theOldFormFieldsMakeAnHTTPCallbackTaskWithTheirRetryTable() async throws {
        let open = APISettings(access: APIAccess(open: true))
        try await withAPI(settings: open) { spool, client in
            let planned = Int(spool.clock.now.milliseconds / 1000) + 600
            let later = try await client.execute(
                uri: "/api/task/save",
                method: .post,
                headers: [.contentType: "application/x-www-form-urlencoded"],
                body: jsonBody(
                    "notify_url=http%3A%2F%2Fshop.example%2Fnotify&plan_time=\(planned)&method_name=post"
                        + "&notify_param=order_id%3D42%26status%3Dpaid%2Bok"
                )
            )
            #expect(later.status == .ok, "\(later.json)")
            #expect(later.json["code"] == .integer(0) && later.json["msg"] == .string("ok"))
            let id = try #require(later.json["data"]?["id"]?.stringValue)
            let location = try #require(spool.find(id: id))
            #expect(location.state == .scheduled && location.queue == "notify")
            #expect(location.due == Timestamp(milliseconds: Int64(planned) * 1000))
            let record = try spool.record(at: location)
            #expect(record.http?["url"] == .string("http://shop.example/notify"))
            #expect(record.http?["method"] == .string("POST"))
            #expect(record.http?["form"]?["order_id"] == .string("42"))
            #expect(record.http?["form"]?["status"] == .string("paid ok"))
            #expect(record.backoff == .table([5, 15, 30, 180, 3600, 7200]) && record.maxAttempts == 7)

            let past = try await client.execute(
                uri: "/api/task/save",
                method: .post,
                headers: [.contentType: "application/x-www-form-urlencoded"],
                body: jsonBody("notify_url=https://shop.example/n&plan_time=1000&method_name=get")
            )
            let soon = try #require(past.json["data"]?["id"]?.stringValue)
            #expect(spool.find(id: soon)?.state == .active, "a plan_time in the past runs at once")
        }
    }

    @Test func badFieldsAreAnsweredInTheOldShapeWithTheField() async throws {
        let open = APISettings(access: APIAccess(open: true))
        try await withAPI(settings: open) { spool, client in
            let cases: [(String, String)] = [
                ("plan_time=10", "notify_url"), ("notify_url=ftp://x", "notify_url"),
                ("notify_url=http://x/&plan_time=soon", "plan_time"),
                ("notify_url=http://x/&plan_time=-5", "plan_time"),
                ("notify_url=http://x/&plan_time=99999999999999999999", "plan_time"),
                ("notify_url=http://x/&method_name=delete", "method_name"),
            ]
            for (body, field) in cases {
                let response = try await client.execute(
                    uri: "/api/task/save",
                    method: .post,
                    headers: [.contentType: "application/x-www-form-urlencoded"],
                    body: jsonBody(body)
                )
                #expect(response.status == .badRequest, "\(body)")
                #expect(response.json["code"] == .integer(1) && response.json["msg"]?.stringValue != nil)
                #expect(response.json["error"]?["field"] == .string(field), "\(body): \(response.json)")
            }
            #expect(spool.stats().queues.isEmpty)
        }
    }
}
