import HTTPTypes
import HummingbirdTesting
import SpoolCore
import Testing

/// The enqueue routes take a task's trace context from the `traceparent` and `tracestate` headers when its
/// body gives none, and refuse a malformed one as the field would be refused.
@Suite struct TraceHeaderTests {
    static let parent = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"
    static let other = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"
    static let headers: HTTPFields = [
        HTTPField.Name("traceparent")!: parent, HTTPField.Name("tracestate")!: "congo=t61rcWkgMzE",
    ]

    @Test func theHeadersFillTheTasksThatGiveNone() async throws {
        try await withAPI { spool, client in
            let one = try await client.execute(
                uri: "/v1/tasks",
                method: .post,
                headers: authorized(json: true, Self.headers),
                body: jsonBody(#"{"id":"one","type":"t"}"#)
            )
            #expect(one.status == .created)
            let batch = try await client.execute(
                uri: "/v1/tasks/batch",
                method: .post,
                headers: authorized(json: true, Self.headers),
                body: jsonBody(#"[{"id":"two","type":"t"},{"id":"three","type":"t","traceparent":"\#(Self.other)"}]"#)
            )
            #expect(batch.status == .created)
            let expected = try TaskTrace(traceparent: Self.parent, tracestate: "congo=t61rcWkgMzE")
            for id in ["one", "two"] {
                #expect(try spool.record(at: #require(spool.find(id: id))).trace == expected)
            }
            let own = try spool.record(at: #require(spool.find(id: "three"))).trace
            #expect(own == (try TaskTrace(traceparent: Self.other)), "the body's own wins, without the header's state")
        }
    }

    @Test(
        arguments: [
            (
                [HTTPField.Name("traceparent")!: "00-0AF7651916CD43DD8448EB211C80319C-b7ad6b7169203331-01"],
                "traceparent"
            ),
            ([HTTPField.Name("traceparent")!: parent, HTTPField.Name("tracestate")!: "=x"], "tracestate"),
        ] as [(HTTPFields, String)]
    )
    func aMalformedHeaderIsRefused(headers: HTTPFields, field: String) async throws {
        try await withAPI { spool, client in
            let response = try await client.execute(
                uri: "/v1/tasks",
                method: .post,
                headers: authorized(json: true, headers),
                body: jsonBody(#"{"id":"one","type":"t"}"#)
            )
            #expect(response.status == .badRequest)
            #expect(response.json["error"]?["field"] == .string(field))
            #expect(response.json["error"]?["message"]?.stringValue?.hasPrefix("header \(field): ") == true)
            #expect(spool.find(id: "one") == nil)
        }
    }
}
