import AsyncHTTPClient
import SpoolConfig
import SpoolCore
import SpoolHandlers
import SpoolTestSupport
import SpoolWorker
import Testing

@Suite("HTTPCallbackHandler", .timeLimit(.minutes(1)))
struct HTTPCallbackHandlerTests {
    @Test func jsonResponseIsTheResult() async throws {
        try await withServerAndClient { server, client, directory in
            let spec = HTTPHandlerSpec(url: server.url("/json"))
            let context = try TaskFixture.context(in: directory, payload: .object([JSONMember("a", .number("1"))]))
            let result = try await HTTPCallbackHandler(spec: spec, client: client).run(context)
            let body = JSONValue.object([
                JSONMember("ok", .bool(true)), JSONMember("n", .array([.number("1"), .number("2")])),
            ])
            #expect(result == .object([JSONMember("status", .number("200")), JSONMember("body", body)]))
            let request = try #require(server.requests.first)
            #expect(request.method == "POST")
            #expect(request.target == "/json")
            #expect(request.body == "{\"a\":1}")
            #expect(request.headers["content-type"] == "application/json")
            #expect(request.headers["x-spool-task-id"] == context.record.id)
            #expect(request.headers["x-spool-attempt"] == "1")
            #expect(request.headers["user-agent"] == "spool/0.1")
        }
    }

    @Test func textResponseIsAString() async throws {
        try await withServerAndClient { server, client, directory in
            let context = try TaskFixture.context(in: directory)
            let result = try await HTTPCallbackHandler(spec: HTTPHandlerSpec(url: server.url("/text")), client: client)
                .run(context)
            #expect(
                result == .object([JSONMember("status", .number("200")), JSONMember("body", .string("plain words"))])
            )
        }
    }

    @Test func emptyResponseHasNoBody() async throws {
        try await withServerAndClient { server, client, directory in
            let context = try TaskFixture.context(in: directory)
            let result = try await HTTPCallbackHandler(spec: HTTPHandlerSpec(url: server.url("/empty")), client: client)
                .run(context)
            #expect(result == .object([JSONMember("status", .number("204"))]))
        }
    }

    @Test func urlTemplateIsFilledInAndEncoded() async throws {
        try await withServerAndClient { server, client, directory in
            let spec = HTTPHandlerSpec(
                url: server.url("/hook/{queue}/{type}/{id}?attempt={attempt}&key={key}"),
                method: "PUT",
                headers: ["X-From-Spec": "spec", "X-Both": "spec"]
            )
            let context = try TaskFixture.context(in: directory, payload: .string("hi"), key: "order 7/1")
            _ = try await HTTPCallbackHandler(spec: spec, client: client).run(context)
            let request = try #require(server.requests.first)
            #expect(request.method == "PUT")
            #expect(
                request.target == "/hook/default/job/\(context.record.id)?attempt=1&key=order%207%2F1"
            )
            #expect(request.body == "\"hi\"")
            #expect(request.headers["x-from-spec"] == "spec")
            #expect(request.headers["x-both"] == "spec")
        }
    }

    @Test func taskHTTPObjectSetsMethodHeadersAndBody() async throws {
        try await withServerAndClient { server, client, directory in
            let http = JSONValue.object([
                JSONMember("url", .string(server.url("/json?x=1"))),
                JSONMember("method", .string("patch")),
                JSONMember(
                    "headers",
                    .object([JSONMember("x-both", .string("task")), JSONMember("X-Task", .string("yes"))])
                ),
                JSONMember("body", .string("raw <text>")),
            ])
            let spec = HTTPHandlerSpec(url: server.url("/never"), headers: ["X-Both": "spec"])
            let context = try TaskFixture.context(in: directory, payload: .string("not sent"), http: http)
            let result = try await HTTPCallbackHandler(spec: spec, client: client).run(context)
            #expect(result?["status"] == .number("200"))
            let request = try #require(server.requests.first)
            #expect(request.method == "PATCH")
            #expect(request.target == "/json?x=1")
            #expect(request.body == "raw <text>")
            #expect(request.headers["x-both"] == "task")
            #expect(request.headers["x-task"] == "yes")
            #expect(request.headers["content-type"] == nil)
            #expect(request.headers["x-spool-task-id"] == context.record.id)
        }
    }

    @Test func taskJSONBodyIsEncoded() async throws {
        try await withServerAndClient { server, client, directory in
            let http = JSONValue.object([
                JSONMember("url", .string(server.url("/json"))),
                JSONMember("body", .object([JSONMember("order", .number("7731"))])),
            ])
            let context = try TaskFixture.context(in: directory, http: http)
            _ = try await HTTPCallbackHandler(spec: HTTPHandlerSpec(), client: client).run(context)
            let request = try #require(server.requests.first)
            #expect(request.method == "POST")
            #expect(request.body == "{\"order\":7731}")
            #expect(request.headers["content-type"] == "application/json")
        }
    }

    @Test func formIsTheBodyOfAPost() async throws {
        try await withServerAndClient { server, client, directory in
            let http = JSONValue.object([
                JSONMember("url", .string(server.url("/form"))),
                JSONMember(
                    "form",
                    .object([
                        JSONMember("name", .string("a b&c")), JSONMember("n", .number("5")),
                        JSONMember("ok", .bool(true)),
                    ])
                ),
            ])
            let context = try TaskFixture.context(in: directory, http: http)
            _ = try await HTTPCallbackHandler(spec: HTTPHandlerSpec(), client: client).run(context)
            let request = try #require(server.requests.first)
            #expect(request.method == "POST")
            #expect(request.body == "name=a%20b%26c&n=5&ok=true")
            #expect(request.headers["content-type"] == "application/x-www-form-urlencoded")
        }
    }

    @Test func paramsGoToTheQueryOfAGet() async throws {
        try await withServerAndClient { server, client, directory in
            let http = JSONValue.object([
                JSONMember("url", .string(server.url("/query?first=1#top"))),
                JSONMember("method", .string("GET")),
                JSONMember("params", .object([JSONMember("q", .string("x/y")), JSONMember("empty", .null)])),
            ])
            let context = try TaskFixture.context(in: directory, http: http)
            _ = try await HTTPCallbackHandler(spec: HTTPHandlerSpec(), client: client).run(context)
            let request = try #require(server.requests.first)
            #expect(request.method == "GET")
            #expect(request.target == "/query?first=1&q=x%2Fy&empty=")
            #expect(request.body == "")
        }
    }

    @Test func redirectIsFollowed() async throws {
        try await withServerAndClient { server, client, directory in
            let context = try TaskFixture.context(in: directory)
            let result = try await HTTPCallbackHandler(
                spec: HTTPHandlerSpec(url: server.url("/redirect")),
                client: client
            )
            .run(context)
            #expect(result?["status"] == .number("200"))
            #expect(server.requests.map(\.target) == ["/redirect", "/json"])
        }
    }

    @Test(arguments: [500, 502, 408])
    func serverErrorsAreRetriedByBackoff(status: Int) async throws {
        try await withServerAndClient { server, client, directory in
            let context = try TaskFixture.context(in: directory)
            let handler = HTTPCallbackHandler(
                spec: HTTPHandlerSpec(url: server.url("/status/\(status)")),
                client: client
            )
            let failure = try #require(await #expect(throws: HandlerFailure.self) { try await handler.run(context) })
            #expect(failure.message.hasPrefix("HTTP \(status) "))
            #expect(failure.message.hasSuffix(": server says \(status)"))
            #expect(failure.retryAfter == nil)
            #expect(!failure.permanent)
        }
    }

    @Test func retryAfterSecondsIsHonoured() async throws {
        try await withServerAndClient { server, client, directory in
            let context = try TaskFixture.context(in: directory)
            let handler = HTTPCallbackHandler(spec: HTTPHandlerSpec(url: server.url("/retry/seconds")), client: client)
            let failure = try #require(await #expect(throws: HandlerFailure.self) { try await handler.run(context) })
            #expect(failure.message == "HTTP 503 Service Unavailable: down for maintenance")
            #expect(failure.retryAfter == 7)
            #expect(!failure.permanent)
        }
    }

    @Test func retryAfterDateCountsFromTheSpoolClock() async throws {
        try await withServerAndClient { server, client, directory in
            // The server asks to wait until 10:02:30; the clock reads 10:00:30.
            let context = try TaskFixture.context(in: directory, clock: ManualClock())
            let handler = HTTPCallbackHandler(spec: HTTPHandlerSpec(url: server.url("/retry/date")), client: client)
            let failure = try #require(await #expect(throws: HandlerFailure.self) { try await handler.run(context) })
            #expect(failure.message == "HTTP 429 Too Many Requests: slow down")
            #expect(failure.retryAfter == 120)
        }
    }

    @Test(arguments: [404, 400, 300])
    func otherStatusesArePermanent(status: Int) async throws {
        try await withServerAndClient { server, client, directory in
            let context = try TaskFixture.context(in: directory)
            let handler = HTTPCallbackHandler(
                spec: HTTPHandlerSpec(url: server.url("/status/\(status)")),
                client: client
            )
            let failure = try #require(await #expect(throws: HandlerFailure.self) { try await handler.run(context) })
            #expect(failure.message.hasPrefix("HTTP \(status) "))
            #expect(failure.permanent)
        }
    }

    @Test func hugeResponseIsBounded() async throws {
        try await withServerAndClient { server, client, directory in
            let spec = HTTPHandlerSpec(url: server.url("/huge"), maximumResponseBytes: 1000)
            let context = try TaskFixture.context(in: directory)
            let result = try await HTTPCallbackHandler(spec: spec, client: client).run(context)
            #expect(result?["body"] == .string(String(repeating: "x", count: 1000) + "…"))
        }
    }

    @Test func slowResponseIsRetriedAtTheDeadline() async throws {
        try await withServerAndClient { server, client, directory in
            let context = try TaskFixture.context(in: directory, timeout: 1)
            let handler = HTTPCallbackHandler(spec: HTTPHandlerSpec(url: server.url("/slow")), client: client)
            let started = ContinuousClock.now
            let failure = try #require(await #expect(throws: HandlerFailure.self) { try await handler.run(context) })
            #expect(ContinuousClock.now - started < .seconds(3))
            #expect(failure.message.contains("no complete response"), "\(failure.message)")
            #expect(!failure.permanent)
        }
    }

    @Test func cancellationAbortsTheRequest() async throws {
        try await withServerAndClient { server, client, directory in
            let context = try TaskFixture.context(in: directory)
            let handler = HTTPCallbackHandler(spec: HTTPHandlerSpec(url: server.url("/slow")), client: client)
            let running = Task { try await handler.run(context) }
            try await Task.sleep(for: .milliseconds(300))
            let cancelled = ContinuousClock.now
            running.cancel()
            await #expect(throws: CancellationError.self) { try await running.value }
            #expect(ContinuousClock.now - cancelled < .seconds(1))
        }
    }

    @Test func refusedConnectionIsRetriedByBackoff() async throws {
        try await withClient { client, directory in
            // Port 1 on the loopback interface: nothing listens there.
            let handler = HTTPCallbackHandler(spec: HTTPHandlerSpec(url: "http://127.0.0.1:1/hook"), client: client)
            let context = try TaskFixture.context(in: directory)
            let failure = try #require(await #expect(throws: HandlerFailure.self) { try await handler.run(context) })
            #expect(failure.message.hasPrefix("POST http://127.0.0.1:1/hook: "))
            #expect(failure.message.lowercased().contains("refused"), "\(failure.message)")
            #expect(failure.retryAfter == nil)
            #expect(!failure.permanent)
        }
    }

    @Test func connectTimeoutIsTheSpecs() async throws {
        try await withClient { client, directory in
            let listener = try await UnresponsiveListener(in: directory)
            defer { listener.stop() }
            let url = "http://127.0.0.1:\(listener.port)/hook"
            let handler = HTTPCallbackHandler(spec: HTTPHandlerSpec(url: url, connectTimeout: 0.5), client: client)
            let context = try TaskFixture.context(in: directory)
            let started = ContinuousClock.now
            let failure = try #require(await #expect(throws: HandlerFailure.self) { try await handler.run(context) })
            #expect(ContinuousClock.now - started < .seconds(3))
            #expect(failure.message == "POST \(url): could not connect within 0.5 s")
            #expect(!failure.permanent)
        }
    }

    @Test func connectTimeoutIsNeverLongerThanTheAttempt() async throws {
        try await withClient { client, directory in
            let listener = try await UnresponsiveListener(in: directory)
            defer { listener.stop() }
            let url = "http://127.0.0.1:\(listener.port)/hook"
            let handler = HTTPCallbackHandler(spec: HTTPHandlerSpec(url: url, connectTimeout: 30), client: client)
            let context = try TaskFixture.context(in: directory, timeout: 0.5)
            let started = ContinuousClock.now
            let failure = try #require(await #expect(throws: HandlerFailure.self) { try await handler.run(context) })
            #expect(ContinuousClock.now - started < .seconds(3))
            #expect(failure.message.hasPrefix("POST \(url): could not connect within 0."), "\(failure.message)")
        }
    }

    @Test func noURLIsPermanent() async throws {
        try await withClient { client, directory in
            let context = try TaskFixture.context(in: directory)
            let failure = try #require(
                await #expect(throws: HandlerFailure.self) {
                    try await HTTPCallbackHandler(spec: HTTPHandlerSpec(), client: client).run(context)
                }
            )
            #expect(failure.message.hasPrefix("no callback URL: "))
            #expect(failure.permanent)
        }
    }

    @Test(arguments: [
        (JSONValue.string("http://example.com"), "expected an object"),
        (.object([JSONMember("method", .string("GET"))]), "no url"),
        (.object([JSONMember("url", .string("ftp://example.com/x"))]), "only http and https"),
        (.object([JSONMember("url", .string("http://x/")), JSONMember("headers", .array([]))]), "headers must be"),
        (
            .object([
                JSONMember("url", .string("http://x/")),
                JSONMember("headers", .object([JSONMember("a", .number("1"))])),
            ]), "header a"
        ),
        (
            .object([
                JSONMember("url", .string("http://x/")),
                JSONMember("headers", .object([JSONMember("a", .string("b\r\nX: y"))])),
            ]), "line break"
        ),
        (
            .object([
                JSONMember("url", .string("http://x/")), JSONMember("body", .string("")),
                JSONMember("form", .object([])),
            ]), "only one of"
        ),
        (
            .object([
                JSONMember("url", .string("http://x/")), JSONMember("form", .object([JSONMember("a", .array([]))])),
            ]), "form.a"
        ),
        (.object([JSONMember("url", .string("http://x/")), JSONMember("method", .string("GE T"))]), "method"),
    ])
    func malformedHTTPObjectIsPermanent(http: JSONValue, reason: String) async throws {
        try await withClient { client, directory in
            let context = try TaskFixture.context(in: directory, http: http)
            let failure = try #require(
                await #expect(throws: HandlerFailure.self) {
                    try await HTTPCallbackHandler(spec: HTTPHandlerSpec(), client: client).run(context)
                }
            )
            #expect(failure.message.contains(reason), "\(failure.message)")
            #expect(failure.permanent)
        }
    }
}

/// Runs `body` with a client configured as the daemon's, and a temporary spool directory.
private func withClient(_ body: (HTTPClient, TemporarySpool) async throws -> Void) async throws {
    let client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: HTTPCallbackHandler.clientConfiguration)
    do {
        try await TemporarySpool.with { directory in try await body(client, directory) }
    } catch {
        try await client.shutdown()
        throw error
    }
    try await client.shutdown()
}

/// Runs `body` with a running ``CallbackServer``, a client and a temporary spool directory.
/// Runs `body` with a local callback server, an HTTP client and a temporary spool.
func withServerAndClient(
    _ body: @Sendable @escaping (CallbackServer, HTTPClient, TemporarySpool) async throws -> Void
) async throws {
    try await withClient { client, directory in
        try await CallbackServer.with { server in try await body(server, client, directory) }
    }
}
