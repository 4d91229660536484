import Hummingbird
import Logging
import NIOCore
import Synchronization

/// A real HTTP server on 127.0.0.1, on a port the system picks, that records what it receives and answers
/// by path:
///
/// - `/json`: 200 with a JSON body; `/text`: 200 with a text body; `/empty`: 204;
/// - `/status/<code>`: that status, with a short text body;
/// - `/retry/seconds`: 503 with `Retry-After: 7`; `/retry/date`: 429 with `Retry-After` 2 minutes after
///   ``ManualClock``'s default start;
/// - `/redirect`: 302 to `/json`;
/// - `/slow`: 200 after 30 seconds;
/// - `/huge`: 200 with a 2 MB body;
/// - anything else: 200 with `{"path": <the path>}`.
final class CallbackServer: Sendable {
    /// One request as the server received it.
    struct Received: Sendable {
        /// The method, such as `POST`.
        var method: String
        /// The path and query.
        var target: String
        /// The header fields, names in lower case.
        var headers: [String: String]
        /// The body, as text.
        var body: String
    }

    /// The port it listens on.
    let port: Int
    private let log: RequestLog

    private init(port: Int, log: RequestLog) {
        self.port = port
        self.log = log
    }

    /// The requests received so far, oldest first.
    var requests: [Received] { log.requests.withLock { $0 } }

    /// `http://127.0.0.1:<port><path>`.
    func url(_ path: String) -> String { "http://127.0.0.1:\(port)\(path)" }

    /// Starts a server, runs `body` with it, and stops it.
    static func with<R: Sendable>(_ body: @Sendable (CallbackServer) async throws -> R) async throws -> R {
        let (ports, portFound) = AsyncStream.makeStream(of: Int.self)
        let log = RequestLog()
        let router = Router()
        for method in [HTTPRequest.Method.get, .post, .put, .patch, .delete] {
            router.on("**", method: method) { request, _ in
                var request = request
                let bytes = try await request.collectBody(upTo: 1 << 20)
                var headers: [String: String] = [:]
                for field in request.headers { headers[field.name.canonicalName] = field.value }
                let received = Received(
                    method: request.method.rawValue,
                    target: request.uri.description,
                    headers: headers,
                    body: String(buffer: bytes)
                )
                log.requests.withLock { $0.append(received) }
                return try await respond(to: request.uri.path)
            }
        }
        let app = Application(
            router: router,
            configuration: ApplicationConfiguration(address: .hostname("127.0.0.1", port: 0)),
            onServerRunning: { channel in
                if let port = channel.localAddress?.port { portFound.yield(port) }
            },
            logger: Logger(label: "callback-server") { _ in SwiftLogNoOpLogHandler() }
        )
        return try await withThrowingTaskGroup(of: R?.self) { group in
            group.addTask {
                try await app.run()
                return nil
            }
            var iterator = ports.makeAsyncIterator()
            guard let port = await iterator.next() else { throw CancellationError() }
            defer { group.cancelAll() }
            return try await body(CallbackServer(port: port, log: log))
        }
    }

    private static func respond(to path: String) async throws -> Response {
        switch path {
        case "/json":
            return reply(.ok, "{\"ok\": true, \"n\": [1, 2]}", contentType: "application/json")
        case "/text":
            return reply(.ok, "plain words")
        case "/empty":
            return Response(status: .noContent)
        case "/retry/seconds":
            return reply(.serviceUnavailable, "down for maintenance", headers: [.retryAfter: "7"])
        case "/retry/date":
            return reply(.tooManyRequests, "slow down", headers: [.retryAfter: "Sat, 21 Nov 2026 10:02:30 GMT"])
        case "/redirect":
            return Response(status: .found, headers: [.location: "/json"])
        case "/slow":
            try await Task.sleep(for: .seconds(30))
            return reply(.ok, "late")
        case "/huge":
            return reply(.ok, String(repeating: "x", count: 2_000_000))
        default:
            if path.hasPrefix("/status/"), let code = Int(path.dropFirst("/status/".count)) {
                return reply(HTTPResponse.Status(code: code), "server says \(code)")
            }
            return reply(.ok, "{\"path\": \"\(path)\"}", contentType: "application/json")
        }
    }

    private static func reply(
        _ status: HTTPResponse.Status,
        _ text: String,
        contentType: String = "text/plain",
        headers: HTTPFields = [:]
    ) -> Response {
        var fields = headers
        fields[.contentType] = contentType
        return Response(status: status, headers: fields, body: ResponseBody(byteBuffer: ByteBuffer(string: text)))
    }
}

/// The requests a ``CallbackServer`` received.
private final class RequestLog: Sendable {
    let requests = Mutex<[CallbackServer.Received]>([])
}
