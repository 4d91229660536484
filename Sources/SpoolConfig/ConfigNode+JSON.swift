internal import SpoolCore
internal import Yams

extension ConfigNode {
    /// The node as a JSON value, for settings that are task content (a cron entry's task): a mapping is an
    /// object (string keys, in order), a list an array; an unquoted scalar is null, a boolean or a number
    /// when it reads as one in JSON (or is YAML's `~`, `True`, `FALSE`…), and anything else is a string.
    func json() throws(ConfigProblem) -> JSONValue {
        switch node {
        case .scalar(let scalar):
            if isNull { return .null }
            guard scalar.style == .plain else { return .string(scalar.string) }
            switch scalar.string {
            case "true", "True", "TRUE": return .bool(true)
            case "false", "False", "FALSE": return .bool(false)
            default: break
            }
            if let value = try? JSONParser.parse(Array(scalar.string.utf8)), case .number = value { return value }
            return .string(scalar.string)
        case .sequence:
            var elements: [JSONValue] = []
            for element in try sequence() { elements.append(try element.json()) }
            return .array(elements)
        case .mapping:
            var members: [JSONMember] = []
            for entry in try mapping(allowedKeys: nil).entries {
                members.append(JSONMember(entry.key, try entry.value.json()))
            }
            return .object(members)
        case .alias:
            throw problem("aliases are not supported here")
        }
    }
}
