/// Writes JSON values compactly, as UTF-8, with members in their stored order.
public enum JSONWriter {
    /// The UTF-8 encoding of `value`: compact, or with `pretty` indented two spaces a level, for people.
    public static func encode(_ value: JSONValue, pretty: Bool = false) -> [UInt8] {
        var output: [UInt8] = []
        output.reserveCapacity(256)
        if pretty { writeIndented(value, level: 0, into: &output) } else { write(value, into: &output) }
        return output
    }

    private static func writeIndented(_ value: JSONValue, level: Int, into output: inout [UInt8]) {
        let indent = Array(repeating: UInt8(ascii: " "), count: 2 * (level + 1))
        switch value {
        case .array(let elements) where !elements.isEmpty:
            output.append(contentsOf: "[\n".utf8)
            for (position, element) in elements.enumerated() {
                output.append(contentsOf: indent)
                writeIndented(element, level: level + 1, into: &output)
                output.append(contentsOf: (position == elements.count - 1 ? "\n" : ",\n").utf8)
            }
            output.append(contentsOf: indent.dropLast(2))
            output.append(UInt8(ascii: "]"))
        case .object(let members) where !members.isEmpty:
            output.append(contentsOf: "{\n".utf8)
            for (position, member) in members.enumerated() {
                output.append(contentsOf: indent)
                writeString(member.key, into: &output)
                output.append(contentsOf: ": ".utf8)
                writeIndented(member.value, level: level + 1, into: &output)
                output.append(contentsOf: (position == members.count - 1 ? "\n" : ",\n").utf8)
            }
            output.append(contentsOf: indent.dropLast(2))
            output.append(UInt8(ascii: "}"))
        default:
            write(value, into: &output)
        }
    }

    /// Appends the compact encoding of `value` to `output`.
    public static func write(_ value: JSONValue, into output: inout [UInt8]) {
        switch value {
        case .null: output.append(contentsOf: "null".utf8)
        case .bool(let flag): output.append(contentsOf: (flag ? "true" : "false").utf8)
        case .number(let literal): output.append(contentsOf: literal.utf8)
        case .string(let text): writeString(text, into: &output)
        case .array(let elements):
            output.append(UInt8(ascii: "["))
            for (position, element) in elements.enumerated() {
                if position > 0 { output.append(UInt8(ascii: ",")) }
                write(element, into: &output)
            }
            output.append(UInt8(ascii: "]"))
        case .object(let members):
            output.append(UInt8(ascii: "{"))
            for (position, member) in members.enumerated() {
                if position > 0 { output.append(UInt8(ascii: ",")) }
                writeString(member.key, into: &output)
                output.append(UInt8(ascii: ":"))
                write(member.value, into: &output)
            }
            output.append(UInt8(ascii: "}"))
        }
    }

    private static let hexDigits = Array("0123456789abcdef".utf8)

    /// Appends `text` as a JSON string literal.
    public static func writeString(_ text: String, into output: inout [UInt8]) {
        output.append(UInt8(ascii: "\""))
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "\""): output.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "\"")])
            case UInt8(ascii: "\\"): output.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "\\")])
            case 0x0A: output.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "n")])
            case 0x0D: output.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "r")])
            case 0x09: output.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "t")])
            case 0..<0x20:
                output.append(contentsOf: "\\u00".utf8)
                output.append(hexDigits[Int(byte >> 4)])
                output.append(hexDigits[Int(byte & 0xF)])
            default: output.append(byte)
            }
        }
        output.append(UInt8(ascii: "\""))
    }
}

extension JSONValue: CustomStringConvertible {
    /// The value as compact JSON text.
    public var description: String {
        String(decoding: JSONWriter.encode(self), as: UTF8.self)
    }
}
