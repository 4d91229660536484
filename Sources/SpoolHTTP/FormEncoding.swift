/// Encodes text for a URL's query (`application/x-www-form-urlencoded`): letters, digits and `-._~` as
/// they are, every other byte as `%XX`.
enum FormEncoding {
    /// `text` escaped for a query's name or value.
    static func escaped(_ text: String) -> String {
        let digits = Array("0123456789ABCDEF".utf8)
        var output: [UInt8] = []
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
                UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"),
                UInt8(ascii: "~"):
                output.append(byte)
            default:
                output += [UInt8(ascii: "%"), digits[Int(byte >> 4)], digits[Int(byte & 15)]]
            }
        }
        return String(decoding: output, as: UTF8.self)
    }

    /// `path` followed by the query of `pairs` (those with a value), or `path` alone when none has one.
    static func link(_ path: String, _ pairs: [(name: String, value: String?)]) -> String {
        let query = pairs.compactMap { pair in pair.value.map { "\(escaped(pair.name))=\(escaped($0))" } }
        return query.isEmpty ? path : path + "?" + query.joined(separator: "&")
    }
}
