internal import Yams

extension ConfigurationError {
    /// The error for text that Yams could not compose, at the position Yams reports when it gives one.
    init(yamlError error: any Error, source: String) {
        guard let error = error as? YamlError else {
            self.init(source: source, reason: "invalid YAML: \(error)")
            return
        }
        switch error {
        case .scanner(let context, let problem, let mark, _),
            .parser(let context, let problem, let mark, _),
            .composer(let context, let problem, let mark, _):
            // libyaml words the context to precede the problem: "while scanning a quoted scalar, found ...".
            let during = context.map { "\($0.text) (line \($0.mark.line), column \($0.mark.column)), " } ?? ""
            self.init(source: source, line: mark.line, column: mark.column, reason: "invalid YAML: \(during)\(problem)")
        case .reader(let problem, let offset, _, let yaml):
            let position = offset.map { Self.position(ofCharacter: $0, in: yaml) }
            self.init(
                source: source,
                line: position?.line,
                column: position?.column,
                reason: "invalid YAML: \(problem)"
            )
        case .duplicatedKeysInMapping(let duplicates, let context):
            // Yams reports the first of the repeated keys, or line 0 when it has no position.
            let known = context.mark.line > 0
            self.init(
                source: source,
                line: known ? context.mark.line : nil,
                column: known ? context.mark.column : nil,
                reason: "duplicate key \(duplicates.map(quoted).joined(separator: ", "))"
            )
        default:
            self.init(source: source, reason: "invalid YAML: \(error)")
        }
    }

    /// The 1-based line and column (in Unicode scalars) of the character at `offset`.
    private static func position(ofCharacter offset: Int, in text: String) -> (line: Int, column: Int) {
        let prefix = text.prefix(offset)
        let line = prefix.reduce(1) { $1.isNewline ? $0 + 1 : $0 }
        let lineStart = prefix.lastIndex(where: \.isNewline).map { prefix.index(after: $0) } ?? prefix.startIndex
        return (line, prefix[lineStart...].unicodeScalars.count + 1)
    }
}
