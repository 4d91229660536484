extension ExecHandlerSpec {
    /// Reads an `exec` handler whose keys have been checked.
    ///
    /// - Parameters:
    ///   - command: The `exec` value: one program (never split by a shell) or an argument vector. Relative
    ///     paths are kept as written.
    ///   - settings: The handler's other keys.
    init(command: ConfigNode, settings: ConfigMapping) throws(ConfigProblem) {
        self.init(command: try Self.arguments(command))
        if let node = settings["env"] {
            for entry in try node.mapping(allowedKeys: nil).entries {
                guard Self.isValidVariableName(entry.key) else {
                    throw ConfigProblem(
                        mark: entry.keyMark,
                        reason: "\(node.name): invalid variable name \(quoted(entry.key))"
                            + " (must match [A-Za-z_][A-Za-z0-9_]*)"
                    )
                }
                environment[entry.key] = try entry.value.string(nonEmpty: false)
            }
        }
        workingDirectory = try settings["dir"]?.string() ?? workingDirectory
        if let node = settings["retry_exit_codes"] {
            retryExitCodes = try Self.exitCodes(node)
        }
        if let node = settings["permanent_exit_codes"] {
            permanentExitCodes = try Self.exitCodes(node)
        }
        // The defaults do not overlap, so an overlap involves a written list: name permanent_exit_codes if written.
        let written = [("permanent_exit_codes", "retry_exit_codes"), ("retry_exit_codes", "permanent_exit_codes")]
            .compactMap { key, other in settings[key].map { (node: $0, other: other) } }
        if let code = retryExitCodes.first(where: permanentExitCodes.contains), let list = written.first {
            throw list.node.problem("\(code) is also one of the \(list.other)")
        }
        killGrace = try settings["kill_grace"]?.duration(allowingZero: true) ?? killGrace
        maximumOutputBytes = try settings["max_output"]?.integer(atLeast: 0) ?? maximumOutputBytes
    }

    /// The argument vector: one string, or a non-empty list of strings whose first one is not empty.
    private static func arguments(_ node: ConfigNode) throws(ConfigProblem) -> [String] {
        guard node.isSequence else {
            guard let program = node.text, !program.isEmpty else {
                throw node.mismatch("a program or an argument vector")
            }
            return [program]
        }
        var arguments: [String] = []
        for element in try node.sequence() {
            arguments.append(try element.string(nonEmpty: arguments.isEmpty))
        }
        guard !arguments.isEmpty else { throw node.problem("must not be an empty argument vector") }
        return arguments
    }

    /// A list of exit statuses from 1 to 255.
    private static func exitCodes(_ node: ConfigNode) throws(ConfigProblem) -> [Int32] {
        var codes: [Int32] = []
        for element in try node.sequence() {
            codes.append(Int32(try element.integer(in: 1...255)))
        }
        return codes
    }

    /// Whether `name` can name an environment variable: `[A-Za-z_][A-Za-z0-9_]*`.
    private static func isValidVariableName(_ name: String) -> Bool {
        guard let first = name.first, !first.isNumber else { return false }
        return name.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_") }
    }
}
