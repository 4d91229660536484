internal import Yams

/// A node of the configuration document together with its dotted path (`workers.concurrency`,
/// `retry.table[2]`), so that every reader can report a problem with a position and a name.
struct ConfigNode {
    /// The node as Yams composed it.
    let node: Node
    /// Where the node sits in the document; empty for the top level.
    let path: String

    /// Where the node starts in the text.
    var mark: Mark? { node.mark }

    /// The setting's name as error messages show it.
    var name: String { path.isEmpty ? "the top level" : path }

    /// A problem with this node: `<path>: <reason>` at the node's position.
    func problem(_ reason: String) -> ConfigProblem {
        ConfigProblem(mark: mark, reason: "\(name): \(reason)")
    }

    /// A problem `<path>: must be <expectation>, not <what was written>`.
    func mismatch(_ expectation: String) -> ConfigProblem {
        problem("must be \(expectation), not \(written)")
    }

    /// Whether the node is YAML's null: nothing, `~` or `null` written without quotes.
    var isNull: Bool {
        guard case .scalar(let scalar) = node, scalar.style == .plain else { return false }
        return ["", "~", "null", "Null", "NULL"].contains(scalar.string)
    }

    /// The text of a scalar that is not null, as written (without quotes).
    var text: String? {
        guard case .scalar(let scalar) = node, !isNull else { return nil }
        return scalar.string
    }

    /// Whether the node is a list.
    var isSequence: Bool {
        if case .sequence = node { return true }
        return false
    }

    /// Whether the node is `{}`.
    var isEmptyMapping: Bool {
        if case .mapping(let mapping) = node { return mapping.isEmpty }
        return false
    }

    /// What the node holds, for error messages: its quoted text, or the kind of node.
    var written: String {
        if isNull { return "empty" }
        switch node {
        case .scalar(let scalar): return quoted(scalar.string)
        case .mapping: return "a mapping"
        case .sequence: return "a list"
        case .alias: return "an alias"
        }
    }

    /// The elements of a list, each with its path (`table[0]`, `table[1]`, ...).
    func sequence() throws(ConfigProblem) -> [ConfigNode] {
        guard case .sequence(let sequence) = node else { throw mismatch("a list") }
        return sequence.enumerated().map { ConfigNode(node: $1, path: "\(path)[\($0)]") }
    }

    /// The entries of a mapping; null reads as an empty mapping.
    ///
    /// - Parameter allowedKeys: The keys the mapping may hold, in the order error messages list them; `nil`
    ///   allows any key (mappings of names such as `queues` or `env`).
    func mapping(allowedKeys: [String]?) throws(ConfigProblem) -> ConfigMapping {
        try ConfigMapping(self, allowedKeys: allowedKeys)
    }
}

/// `text` in double quotes, with quotes, backslashes and control characters escaped so that it stays on one
/// line, and cut after 60 characters.
func quoted(_ text: String) -> String {
    var result = "\""
    for (index, character) in text.unicodeScalars.enumerated() {
        if index == 60 {
            result += "…"
            break
        }
        switch character {
        case "\"": result += "\\\""
        case "\\": result += "\\\\"
        case "\n": result += "\\n"
        case "\t": result += "\\t"
        case _ where character.properties.generalCategory == .control:
            result += "\\u{\(String(character.value, radix: 16))}"
        default: result.unicodeScalars.append(character)
        }
    }
    return result + "\""
}
