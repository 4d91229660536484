internal import FoundationEssentials

extension ConfigNode {
    /// The lines of the file this node names, which must be an absolute path to a UTF-8 file of at most
    /// 1 MiB: each line's number (from 1) and its text without the white space around it; blank lines and
    /// lines starting with `#` are left out.
    func fileLines() throws(ConfigProblem) -> (path: String, lines: [(number: Int, text: String)]) {
        let path = try string()
        guard path.hasPrefix("/") else { throw mismatch("an absolute path") }
        guard let data = try? Data(contentsOf: URL(filePath: path)), data.count <= 1_048_576,
            let text = String(validating: data, as: UTF8.self)
        else { throw problem("cannot read \(path) (a UTF-8 file of at most 1 MiB)") }
        var lines: [(number: Int, text: String)] = []
        for (index, line) in text.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline).enumerated() {
            let trimmed = String(line.drop(while: \.isWhitespace).reversed().drop(while: \.isWhitespace).reversed())
            if trimmed.isEmpty || trimmed.hasPrefix("#") { continue }
            lines.append((index + 1, trimmed))
        }
        return (path, lines)
    }
}
