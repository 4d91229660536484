extension HandlerSpec {
    /// The keys of an `exec` handler.
    static let execKeys = [
        "exec", "env", "dir", "retry_exit_codes", "permanent_exit_codes", "kill_grace", "max_output",
    ]
    /// The keys of an `http` handler.
    static let httpKeys = ["http", "method", "headers", "connect_timeout", "max_response"]

    /// Whether `name` can name a handler: `[A-Za-z0-9_.-]{1,64}`.
    static func isValidName(_ name: String) -> Bool {
        (1...64).contains(name.utf8.count)
            && name.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || "_.-".contains($0)) }
    }

    /// Reads one entry of `handlers`: an `exec` or an `http` handler, by which of the two keys it sets.
    init(config node: ConfigNode) throws(ConfigProblem) {
        let settings = try node.mapping(allowedKeys: nil)
        let kinds = settings.entries.filter { $0.key == "exec" || $0.key == "http" }
        guard let kind = kinds.first else {
            throw node.problem("must set exec (a command) or http (a URL template)")
        }
        if kinds.count > 1 {
            throw ConfigProblem(
                mark: kinds[1].keyMark,
                reason: "\(node.name): sets both exec and http; a handler is one or the other"
            )
        }
        let (keys, otherKeys, otherKind) =
            kind.key == "exec"
            ? (Self.execKeys, Self.httpKeys, "http") : (Self.httpKeys, Self.execKeys, "exec")
        for entry in settings.entries where !keys.contains(entry.key) {
            guard otherKeys.contains(entry.key) else {
                throw ConfigMapping.unknownKey(entry.key, at: entry.keyMark, in: node, expected: keys)
            }
            throw ConfigProblem(
                mark: entry.keyMark,
                reason: "\(node.name): \(quoted(entry.key)) is for \(otherKind) handlers, and this one is \(kind.key)"
            )
        }
        if kind.key == "exec" {
            self = .exec(try ExecHandlerSpec(command: kind.value, settings: settings))
        } else {
            self = .http(try HTTPHandlerSpec(url: kind.value, settings: settings))
        }
    }
}
