import SpoolCore
import SpoolWorker

extension CallbackRequest {
    /// The request a task's `http` object describes.
    ///
    /// Members: `url` (required), `method` (default `defaultMethod`, upper-cased), `headers` (an object of
    /// strings, added to `baseHeaders` and winning over them), and at most one of:
    /// - `body`: a string sent as it is, or any other JSON sent encoded, with `Content-Type: application/json`
    ///   unless the headers set one;
    /// - `form` (or its alias `params`): an object of strings, numbers, booleans or nulls (sent as empty
    ///   values), URL-encoded as the body of a `POST`, `PUT` or `PATCH` request, and appended to the query
    ///   string for any other method.
    ///
    /// With neither, the request has no body (the payload is not sent).
    ///
    /// Other members are ignored.
    ///
    /// - Throws: A permanent ``HandlerFailure`` naming what is malformed.
    init(http: JSONValue, defaultMethod: String, baseHeaders: [Header]) throws(HandlerFailure) {
        guard case .object = http else { throw malformed("expected an object, found \(http.kindName)") }
        guard case .string(let url)? = http["url"], !url.isEmpty else {
            throw malformed(http["url"] == nil ? "no url" : "url must be a non-empty string")
        }
        var method = defaultMethod.uppercased()
        if let value = http["method"] {
            guard case .string(let name) = value, !name.isEmpty, name.utf8.allSatisfy(isTokenByte) else {
                throw malformed("method must be an HTTP method name")
            }
            method = name.uppercased()
        }
        var headers = baseHeaders
        for header in try taskHeaders(http["headers"]) {
            CallbackRequest.set(header.name, header.value, in: &headers)
        }
        self.init(url: url, method: method, headers: headers, body: nil)
        try setContent(of: http)
    }

    /// Sets the body, or the query, from `body` or `form`/`params`.
    private mutating func setContent(of http: JSONValue) throws(HandlerFailure) {
        let given = ["body", "form", "params"].filter { http[$0] != nil }
        guard given.count <= 1 else { throw malformed("set only one of \(given.joined(separator: ", "))") }
        if let body = http["body"] {
            if case .string(let text) = body {
                self.body = Array(text.utf8)
            } else {
                self.body = JSONWriter.encode(body)
                CallbackRequest.set("Content-Type", "application/json", in: &headers, replacing: false)
            }
        } else if let name = given.first, let form = http[name] {
            let encoded = try formPairs(form, name: name)
            if ["POST", "PUT", "PATCH"].contains(method) {
                body = Array(encoded.utf8)
                CallbackRequest.set("Content-Type", "application/x-www-form-urlencoded", in: &headers, replacing: false)
            } else if !encoded.isEmpty {
                url = CallbackRequest.appendingQuery(encoded, to: url)
            }
        }
    }

    /// `url` with `query` added to its query string, before any fragment.
    static func appendingQuery(_ query: String, to url: String) -> String {
        let fragmentStart = url.firstIndex(of: "#") ?? url.endIndex
        let base = url[..<fragmentStart]
        let separator = !base.contains("?") ? "?" : base.hasSuffix("?") || base.hasSuffix("&") ? "" : "&"
        return String(base) + separator + query + String(url[fragmentStart...])
    }
}

private func taskHeaders(_ value: JSONValue?) throws(HandlerFailure) -> [CallbackRequest.Header] {
    guard let value else { return [] }
    guard case .object(let members) = value else { throw malformed("headers must be an object of strings") }
    var headers: [CallbackRequest.Header] = []
    for member in members {
        guard case .string(let text) = member.value else {
            throw malformed("header \(member.key) must be a string, not \(member.value.kindName)")
        }
        guard !member.key.isEmpty, member.key.utf8.allSatisfy(isTokenByte) else {
            throw malformed("\"\(member.key)\" is not a header name")
        }
        // CR, LF or NUL in a value would let a task forge headers or split the request.
        guard !text.utf8.contains(where: { $0 == 0x0D || $0 == 0x0A || $0 == 0 }) else {
            throw malformed("header \(member.key) holds a line break")
        }
        headers.append(CallbackRequest.Header(name: member.key, value: text))
    }
    return headers
}

private func formPairs(_ value: JSONValue, name: String) throws(HandlerFailure) -> String {
    guard case .object(let members) = value else { throw malformed("\(name) must be an object") }
    var pairs: [(name: String, value: String)] = []
    for member in members {
        switch member.value {
        case .string(let text): pairs.append((member.key, text))
        case .number(let literal): pairs.append((member.key, literal))
        case .bool(let flag): pairs.append((member.key, flag ? "true" : "false"))
        case .null: pairs.append((member.key, ""))
        case .array, .object: throw malformed("\(name).\(member.key) must be a string, number, boolean or null")
        }
    }
    return PercentEncoding.form(pairs)
}

/// A byte allowed in an HTTP token (RFC 9110): method and header names.
private func isTokenByte(_ byte: UInt8) -> Bool {
    switch byte {
    case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
        UInt8(ascii: "0")...UInt8(ascii: "9"):
        true
    default:
        "!#$%&'*+-.^_`|~".utf8.contains(byte)
    }
}

private func malformed(_ reason: String) -> HandlerFailure {
    .permanent("malformed http object: \(reason)")
}
