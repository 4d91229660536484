extension JSONWriter {
    /// `text` as a JSON string literal for a one-line message (a `.reason` file, a log line): quotes,
    /// backslashes, the control characters U+0000–U+001F and U+007F–U+009F and the line and paragraph
    /// separators U+2028 and U+2029 escaped, cut after `limit` Unicode scalars with `…`.
    ///
    /// A producer's text can hold anything, a newline or a megabyte; the reason that quotes it must still be
    /// one short line.
    public static func quoted(_ text: String, limit: Int = 60) -> String {
        var result = "\""
        for (index, scalar) in text.unicodeScalars.enumerated() {
            if index == limit {
                result += "…"
                break
            }
            switch scalar {
            case "\"": result += "\\\""
            case "\\": result += "\\\\"
            case "\n": result += "\\n"
            case "\r": result += "\\r"
            case "\t": result += "\\t"
            case "\u{00}"..."\u{1F}", "\u{7F}"..."\u{9F}", "\u{2028}", "\u{2029}":
                let digits = String(scalar.value, radix: 16)
                result += "\\u" + String(repeating: "0", count: 4 - digits.count) + digits
            default: result.unicodeScalars.append(scalar)
            }
        }
        return result + "\""
    }

    /// A number's literal text for a message, cut after `limit` characters with `…` (a literal may be a
    /// megabyte of digits).
    static func abbreviated(_ literal: String, limit: Int = 40) -> String {
        literal.utf8.count <= limit ? literal : String(literal.prefix(limit)) + "…"
    }
}
