internal import Yams

/// The entries of one mapping of the configuration document, with unknown and repeated keys refused.
struct ConfigMapping {
    /// One `key: value` pair.
    struct Entry {
        /// The key's text.
        let key: String
        /// Where the key starts.
        let keyMark: Mark?
        /// The value, whose path is the mapping's path followed by the key.
        let value: ConfigNode
    }

    /// The entries in document order.
    let entries: [Entry]

    /// Reads `node` as a mapping whose keys are strings from `allowedKeys` (any string when `nil`), each
    /// present once. Null reads as an empty mapping.
    init(_ node: ConfigNode, allowedKeys: [String]?) throws(ConfigProblem) {
        if node.isNull {
            entries = []
            return
        }
        guard case .mapping(let mapping) = node.node else { throw node.mismatch("a mapping") }
        var entries: [Entry] = []
        for (keyNode, value) in mapping {
            guard case .scalar(let scalar) = keyNode else {
                let written = ConfigNode(node: keyNode, path: "").written
                throw ConfigProblem(mark: keyNode.mark, reason: "\(node.name): keys must be names, not \(written)")
            }
            let key = scalar.string
            if let allowedKeys, !allowedKeys.contains(key) {
                throw Self.unknownKey(key, at: keyNode.mark, in: node, expected: allowedKeys)
            }
            if entries.contains(where: { $0.key == key }) {
                throw ConfigProblem(mark: keyNode.mark, reason: "\(node.name): duplicate key \(quoted(key))")
            }
            let path = node.path.isEmpty ? key : "\(node.path).\(key)"
            entries.append(Entry(key: key, keyMark: keyNode.mark, value: ConfigNode(node: value, path: path)))
        }
        self.entries = entries
    }

    /// A problem `unknown key "<key>" in <mapping> (expected <keys>)`.
    static func unknownKey(_ key: String, at mark: Mark?, in mapping: ConfigNode, expected: [String]) -> ConfigProblem {
        let place = mapping.path.isEmpty ? "at the top level" : "in \(mapping.path)"
        return ConfigProblem(
            mark: mark,
            reason: "unknown key \(quoted(key)) \(place) (expected \(expected.joined(separator: ", ")))"
        )
    }

    /// The value under `key`, if the key is present (its value may be null).
    subscript(key: String) -> ConfigNode? {
        entries.first { $0.key == key }?.value
    }
}
