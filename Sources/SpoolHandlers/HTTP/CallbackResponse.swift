import SpoolCore
import SpoolWorker

/// What a callback's final response said: turned into the attempt's result or failure.
struct CallbackResponse: Sendable {
    /// The status code.
    var status: Int
    /// The status line's reason phrase.
    var reason: String
    /// The `Retry-After` header, if any.
    var retryAfter: String?
    /// The `Location` header, if any.
    var location: String?
    /// The start of the body.
    var body: BoundedBytes

    /// The result of a 2xx response, or the failure to throw for any other.
    ///
    /// - 2xx: `{"status": <code>, "body": <the body as JSON if it parses, else as text>}`, without `body`
    ///   when it is empty; a truncated body is text.
    /// - 408, 429 and 5xx: a retry, after `Retry-After` if it is given (seconds or a date, counted from
    ///   `now`), else by backoff.
    /// - Anything else (other 4xx, and a 3xx that was not followed): a permanent failure.
    func result(now: Timestamp) throws(HandlerFailure) -> JSONValue {
        switch status {
        case 200...299:
            var members = [JSONMember("status", .integer(status))]
            if let value = bodyValue { members.append(JSONMember("body", value)) }
            return .object(members)
        case 408, 429, 500...599:
            throw .retry(failureMessage, after: retryAfter.flatMap { RetryAfter.seconds($0, now: now) })
        default:
            throw .permanent(failureMessage)
        }
    }

    private var bodyValue: JSONValue? {
        if body.truncated { return .string(body.text) }
        if body.bytes.isEmpty { return nil }
        return (try? JSONParser.parse(body.bytes)) ?? .string(body.text)
    }

    /// `HTTP 503 Service Unavailable: <start of the body>`, with where a redirect pointed.
    private var failureMessage: String {
        var message = "HTTP \(status) \(reason)"
        if (300...399).contains(status) {
            message += ": redirect not followed" + (location.map { " (Location: \($0))" } ?? "")
        }
        var start = BoundedBytes(limit: CallbackResponse.bodyInMessage)
        start.append(body.bytes)
        let excerpt = start.text.trimmingWhitespace
        return excerpt.isEmpty ? message : "\(message): \(excerpt)"
    }

    /// Bytes of the body quoted in a failure message.
    private static let bodyInMessage = 512
}
