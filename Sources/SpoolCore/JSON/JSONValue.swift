/// A JSON value that keeps what the producer wrote: object members in their order, numbers as their literal
/// text (so `12345678901234567890` or `1.5e-300` survive a rewrite unchanged).
public enum JSONValue: Sendable, Hashable {
    case null
    case bool(Bool)
    /// A number, kept as its RFC 8259 literal.
    case number(String)
    case string(String)
    case array([JSONValue])
    /// An object's members, in order, with unique keys.
    case object([JSONMember])

    /// A number value from an integer.
    public static func integer(_ value: some BinaryInteger) -> JSONValue {
        .number(String(value))
    }

    /// A number value from a double, written in Swift's shortest round-tripping form.
    public static func double(_ value: Double) -> JSONValue {
        if value == value.rounded(), abs(value) < 1e15 { return .number(String(Int64(value))) }
        return .number(String(value))
    }

    /// The value of a number as a `Double`, if this is a number.
    public var doubleValue: Double? {
        if case .number(let literal) = self { return Double(literal) }
        return nil
    }

    /// The value of a number as an `Int64`, if this is a number with an integral value in range (`3.0` counts).
    public var integerValue: Int64? {
        guard case .number(let literal) = self else { return nil }
        if let exact = Int64(literal) { return exact }
        guard let value = Double(literal), value == value.rounded(), abs(value) < 9.0e15 else { return nil }
        return Int64(value)
    }

    /// The text, if this is a string.
    public var stringValue: String? {
        if case .string(let text) = self { return text }
        return nil
    }

    /// The elements, if this is an array.
    public var arrayValue: [JSONValue]? {
        if case .array(let elements) = self { return elements }
        return nil
    }

    /// The members, if this is an object.
    public var objectValue: [JSONMember]? {
        if case .object(let members) = self { return members }
        return nil
    }

    /// The member named `key`, if this is an object that has it.
    public subscript(key: String) -> JSONValue? {
        objectValue?.first { $0.key.utf8.elementsEqual(key.utf8) }?.value
    }

    /// A short name of the value's kind, for error messages.
    public var kindName: String {
        switch self {
        case .null: "null"
        case .bool: "a boolean"
        case .number: "a number"
        case .string: "a string"
        case .array: "an array"
        case .object: "an object"
        }
    }
}

/// One member of a JSON object.
public struct JSONMember: Sendable, Hashable {
    /// The member's key.
    public var key: String
    /// The member's value.
    public var value: JSONValue

    /// Creates a member.
    public init(_ key: String, _ value: JSONValue) {
        self.key = key
        self.value = value
    }
}
