import SpoolConfig
import SpoolCore
import SpoolWorker

/// The HTTP request of one callback attempt, built from the task's `http` object or the handler's URL
/// template, before any byte is sent.
struct CallbackRequest: Sendable {
    /// One header line.
    struct Header: Sendable {
        var name: String
        var value: String
    }

    /// The absolute `http` or `https` URL.
    var url: String
    /// The method, upper case.
    var method: String
    /// The headers, names unique without regard to case.
    var headers: [Header]
    /// The body; `nil` for none.
    var body: [UInt8]?

    /// The request for `context`'s task under `spec`: the task's own `http` object when it has one, else
    /// the spec's URL template with the payload as a JSON body (none for `GET`, `HEAD` and `DELETE`).
    ///
    /// Headers come from the spec, then the task (which wins), then `X-Spool-Task-Id`, `X-Spool-Attempt`,
    /// `traceparent` and `tracestate` (the attempt's trace context, ``ClaimedTask/trace``, when there is one),
    /// and `User-Agent: spool/0.1` unless one was given.
    ///
    /// - Throws: A permanent ``HandlerFailure`` when there is no URL, or the `http` object is malformed:
    ///   no retry can fix the task.
    init(spec: HTTPHandlerSpec, context: TaskContext) throws(HandlerFailure) {
        var headers = spec.headers.sorted { $0.key < $1.key }.map { Header(name: $0.key, value: $0.value) }
        if let http = context.record.http {
            self = try CallbackRequest(http: http, defaultMethod: spec.method, baseHeaders: headers)
        } else if let template = spec.url {
            let method = spec.method.uppercased()
            var body: [UInt8]?
            if !["GET", "HEAD", "DELETE"].contains(method) {
                body = JSONWriter.encode(context.payload)
                CallbackRequest.set("Content-Type", "application/json", in: &headers, replacing: false)
            }
            let url = CallbackRequest.expand(template, context: context)
            self = CallbackRequest(url: url, method: method, headers: headers, body: body)
        } else {
            throw .permanent("no callback URL: the task has no http.url and the handler no url")
        }
        try CallbackRequest.checkScheme(url)
        CallbackRequest.set("X-Spool-Task-Id", context.record.id, in: &self.headers)
        CallbackRequest.set("X-Spool-Attempt", String(context.attempt), in: &self.headers)
        if let trace = context.task.trace {
            CallbackRequest.set("traceparent", trace.traceparent, in: &self.headers)
            // A tracestate given for another trace does not go with this one.
            self.headers.removeAll { $0.name.lowercased() == "tracestate" }
            if let state = trace.tracestate { CallbackRequest.set("tracestate", state, in: &self.headers) }
        }
        CallbackRequest.set("User-Agent", "spool/0.1", in: &self.headers, replacing: false)
    }

    init(url: String, method: String, headers: [Header], body: [UInt8]?) {
        self.url = url
        self.method = method
        self.headers = headers
        self.body = body
    }

    /// Sets the header `name` to `value`, replacing one of any case unless `replacing` is `false`, in which
    /// case an existing header is kept.
    static func set(_ name: String, _ value: String, in headers: inout [Header], replacing: Bool = true) {
        if let index = headers.firstIndex(where: { $0.name.lowercased() == name.lowercased() }) {
            if replacing { headers[index] = Header(name: name, value: value) }
        } else {
            headers.append(Header(name: name, value: value))
        }
    }

    /// `template` with `{id}`, `{queue}`, `{type}`, `{attempt}` and `{key}` replaced by the task's values,
    /// percent-encoded (`{key}` is empty when the task has none). Other braces are left as they are.
    static func expand(_ template: String, context: TaskContext) -> String {
        let record = context.record
        let values = [
            "{id}": record.id, "{queue}": record.queue, "{type}": record.type, "{attempt}": String(context.attempt),
            "{key}": record.key ?? "",
        ]
        var output = ""
        var rest = Substring(template)
        while let open = rest.firstIndex(of: "{") {
            output += rest[..<open]
            rest = rest[open...]
            if let close = rest.firstIndex(of: "}"), let value = values[String(rest[...close])] {
                output += PercentEncoding.encode(value)
                rest = rest[rest.index(after: close)...]
            } else {
                output.append("{")
                rest = rest.dropFirst()
            }
        }
        return output + rest
    }

    private static func checkScheme(_ url: String) throws(HandlerFailure) {
        let lowered = url.lowercased()
        guard lowered.hasPrefix("http://") || lowered.hasPrefix("https://") else {
            throw .permanent("malformed callback URL \"\(url)\": only http and https URLs are called")
        }
    }
}
