extension HTTPHandlerSpec {
    /// The placeholders a URL template may hold.
    static let placeholders = ["id", "queue", "type", "attempt", "key"]

    /// Reads an `http` handler whose keys have been checked.
    ///
    /// - Parameters:
    ///   - url: The `http` value: a URL template, or `{}` or null when every task brings its own `http.url`.
    ///   - settings: The handler's other keys.
    init(url: ConfigNode, settings: ConfigMapping) throws(ConfigProblem) {
        self.init(url: try Self.template(url))
        if let node = settings["method"] {
            let method = try node.string()
            guard method.allSatisfy({ $0.isASCII && $0.isLetter }) else {
                throw node.mismatch("an HTTP method such as POST")
            }
            self.method = method
        }
        if let node = settings["headers"] {
            for entry in try node.mapping(allowedKeys: nil).entries {
                guard Self.isValidHeaderName(entry.key) else {
                    throw ConfigProblem(
                        mark: entry.keyMark,
                        reason: "\(node.name): invalid header name \(quoted(entry.key))"
                    )
                }
                let value = try entry.value.string(nonEmpty: false)
                guard !value.contains(where: { $0.isNewline || $0 == "\0" }) else {
                    throw entry.value.mismatch("a header value on one line")
                }
                headers[entry.key] = value
            }
        }
        connectTimeout = try settings["connect_timeout"]?.duration() ?? connectTimeout
        maximumResponseBytes = try settings["max_response"]?.integer(atLeast: 0) ?? maximumResponseBytes
    }

    /// The URL template, or `nil` for null or `{}`.
    private static func template(_ node: ConfigNode) throws(ConfigProblem) -> String? {
        if node.isNull || node.isEmptyMapping { return nil }
        let expectation = "an http:// or https:// URL template, or {} when each task brings its own http.url"
        guard let url = node.text else { throw node.mismatch(expectation) }
        let lowercased = url.lowercased()
        guard ["http://", "https://"].contains(where: { lowercased.hasPrefix($0) && lowercased.count > $0.count })
        else { throw node.mismatch(expectation) }
        var rest = Substring(url)
        while let open = rest.firstIndex(where: { $0 == "{" || $0 == "}" }) {
            guard rest[open] == "{", let close = rest[open...].firstIndex(of: "}") else {
                throw node.problem("unmatched \(quoted(String(rest[open]))) in the URL template")
            }
            let name = String(rest[rest.index(after: open)..<close])
            guard placeholders.contains(name) else {
                let expected = listing(placeholders.map { "{\($0)}" }, conjunction: "or")
                throw node.problem("unknown placeholder \(quoted("{\(name)}")) (expected \(expected))")
            }
            rest = rest[rest.index(after: close)...]
        }
        guard !url.contains(where: { $0.isWhitespace || $0.asciiValue.map { $0 < 0x20 } == true }) else {
            throw node.mismatch("a URL template without spaces")
        }
        return url
    }

    /// Whether `name` is an HTTP header name (an RFC 9110 token).
    private static func isValidHeaderName(_ name: String) -> Bool {
        !name.isEmpty
            && name.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || "!#$%&'*+-.^_`|~".contains($0)) }
    }
}
