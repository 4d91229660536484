public import AsyncHTTPClient
import NIOCore
import NIOHTTP1
public import SpoolConfig
public import SpoolCore
public import SpoolWorker
import SystemPackage

/// The `http` handler: fires one HTTP callback per attempt and lets the response status decide the outcome.
///
/// The request comes from the task's `http` object, or else from ``HTTPHandlerSpec/url`` with the payload as
/// a JSON body (see ``HTTPHandlerSpec``). A 2xx response succeeds with
/// `{"status": <code>, "body": <JSON or text>}`, the body kept up to
/// ``HTTPHandlerSpec/maximumResponseBytes``; 408, 429 and 5xx are retried, after `Retry-After` when given;
/// any other status is a permanent failure. A connection error or a timeout is a failed attempt retried by
/// backoff.
///
/// Connecting may take ``HTTPHandlerSpec/connectTimeout`` seconds, and the whole exchange what is left of
/// the attempt. Redirects are followed as the client is configured to (``clientConfiguration`` follows up
/// to 5); a 3xx response that is not followed is a permanent failure. Cancelling the task running
/// ``run(_:)`` aborts the request at once.
public final class HTTPCallbackHandler: Sendable {
    /// How callbacks are made.
    public let spec: HTTPHandlerSpec
    private let client: HTTPClient

    /// Creates a handler sending its requests through `client`, which the caller owns and shuts down.
    public init(spec: HTTPHandlerSpec, client: HTTPClient) {
        self.spec = spec
        self.client = client
    }

    /// A configuration for the client that callbacks share: redirects followed up to 5 times without
    /// cycles; a client-wide connect timeout long enough to leave each handler's
    /// ``HTTPHandlerSpec/connectTimeout`` in charge; and a failed connection reported at once rather than
    /// tried again until the timeout, since a failed attempt is retried by the task's own backoff and the
    /// cause ("connection refused") is worth recording.
    public static var clientConfiguration: HTTPClient.Configuration {
        var configuration = HTTPClient.Configuration(
            redirectConfiguration: .follow(max: 5, allowCycles: false),
            timeout: HTTPClient.Configuration.Timeout(connect: .hours(1))
        )
        configuration.connectionPool.retryConnectionEstablishment = false
        return configuration
    }

    /// Fires the callback for one attempt.
    ///
    /// - Returns: The response's status and body.
    /// - Throws: ``HandlerFailure``: permanent for a task that cannot be called (no URL, malformed `http`)
    ///   or a final status that no retry fixes; a retry otherwise. `CancellationError` when cancelled.
    public func run(_ context: TaskContext) async throws -> JSONValue? {
        let request = try CallbackRequest(spec: spec, context: context)
        let response = try await send(request, context: context)
        return try response.result(now: context.clock.now)
    }

    /// Sends `request` and waits for its response, within the connect timeout and the attempt's deadline.
    private func send(_ request: CallbackRequest, context: TaskContext) async throws -> CallbackResponse {
        let remaining = context.secondsRemaining
        let label = "\(request.method) \(request.url)"
        guard remaining > 0 else { throw HandlerFailure.retry("\(label): the attempt has no time left") }
        let prepared: HTTPClient.Request
        do {
            prepared = try HTTPClient.Request(
                url: request.url,
                method: HTTPMethod(rawValue: request.method),
                headers: HTTPHeaders(request.headers.map { ($0.name, $0.value) }),
                body: request.body.map { .bytes($0) }
            )
        } catch {
            throw HandlerFailure.permanent("malformed callback URL \"\(request.url)\": \(error)")
        }
        let collector = ResponseCollector(limit: spec.maximumResponseBytes)
        let task = client.execute(
            request: prepared,
            delegate: collector,
            deadline: .now() + .seconds(remaining),
            logger: context.logger
        )
        let connectTimeout = min(spec.connectTimeout, remaining)
        let watchdog = task.eventLoop.scheduleTask(in: .seconds(connectTimeout)) {
            if !collector.isConnected { task.fail(reason: ConnectTimedOut()) }
        }
        defer { watchdog.cancel() }
        do {
            return try await withTaskCancellationHandler {
                try await task.get()
            } onCancel: {
                task.cancel()
            }
        } catch {
            if Task.isCancelled { throw CancellationError() }
            if error is ResponseCollector.LimitReached, let response = collector.response { return response }
            let reason = Self.describe(error, connected: collector.isConnected, connectTimeout, remaining)
            throw HandlerFailure.retry("\(label): \(reason)")
        }
    }

    /// Fails a request still connecting when the connect timeout is over.
    private struct ConnectTimedOut: Error {}

    /// The failure of a request in a few words.
    private static func describe(
        _ error: any Error,
        connected: Bool,
        _ connectTimeout: Double,
        _ remaining: Double
    ) -> String {
        let clientError = error as? HTTPClientError
        // With a connect timeout as long as the attempt, the deadline and the watchdog fire together.
        if error is ConnectTimedOut || clientError == .connectTimeout
            || (clientError == .deadlineExceeded && !connected)
        {
            return "could not connect within \(milliseconds(connectTimeout)) s"
        }
        if clientError == .deadlineExceeded {
            return "no complete response within the \(milliseconds(remaining)) s left of the attempt"
        }
        if let error = error as? IOError {
            // NIO's own text is garbled ("connection reset (error set): Connection refused) (errno: 111)").
            return "\(Errno(rawValue: error.errnoCode))"
        }
        return "\(error)"
    }
}

/// `seconds` rounded to the millisecond, for messages.
private func milliseconds(_ seconds: Double) -> Double {
    (seconds * 1000).rounded() / 1000
}

extension TimeAmount {
    /// A time amount of `seconds`, to the nanosecond.
    fileprivate static func seconds(_ seconds: Double) -> TimeAmount {
        .nanoseconds(Int64((seconds * 1e9).rounded()))
    }
}
