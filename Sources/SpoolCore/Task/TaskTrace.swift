/// A W3C Trace Context carried by a task: its `traceparent` field, and `tracestate` when there is one.
///
/// A producer gives it to put the task in its own trace; Spool stores, when it traces, the context of the
/// task's `enqueue` span, so that every span of the task shares one trace, and hands the attempt's context
/// to the handler. Both values are checked strictly, as the W3C recommendation writes them
/// (https://www.w3.org/TR/trace-context/): version `00` only, lower-case hexadecimal, ids not all zero.
public struct TaskTrace: Sendable, Hashable {
    /// `00-<32 hex digits: trace id>-<16 hex digits: parent span id>-<2 hex digits: flags>`.
    public let traceparent: String
    /// Vendor entries, `key=value` separated by commas; `nil` for none.
    public let tracestate: String?

    /// The longest `tracestate` kept, in bytes: what the recommendation asks every vendor to propagate.
    public static let maximumTraceStateBytes = 512
    /// The most entries a `tracestate` may hold.
    public static let maximumTraceStateEntries = 32

    /// Checks and keeps a trace context.
    ///
    /// - Throws: ``TaskValidationError`` whose reason starts with the field at fault, `traceparent: ` or
    ///   `tracestate: `.
    public init(traceparent: String, tracestate: String? = nil) throws(TaskValidationError) {
        guard TaskTrace.isValidTraceParent(traceparent) else {
            throw TaskValidationError(
                "traceparent: \(JSONWriter.quoted(traceparent, limit: 64)) is not a W3C traceparent such as "
                    + "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"
            )
        }
        if let tracestate {
            try TaskTrace.checkTraceState(tracestate)
        }
        self.traceparent = traceparent
        self.tracestate = tracestate
    }

    /// The trace id: the 32 hexadecimal digits after the version.
    public var traceID: Substring { traceparent.dropFirst(3).prefix(32) }

    /// The parent span id: the 16 hexadecimal digits after the trace id.
    public var spanID: Substring { traceparent.dropFirst(36).prefix(16) }

    /// Whether `text` is a version-00 `traceparent`: 55 characters, lower-case hexadecimal fields, a trace id
    /// and a span id that are not all zeros.
    static func isValidTraceParent(_ text: String) -> Bool {
        let bytes = Array(text.utf8)
        guard bytes.count == 55, bytes[0] == UInt8(ascii: "0"), bytes[1] == UInt8(ascii: "0") else { return false }
        for dash in [2, 35, 52] where bytes[dash] != UInt8(ascii: "-") { return false }
        let fields = [bytes[3..<35], bytes[36..<52], bytes[53..<55]]
        guard fields.allSatisfy({ $0.allSatisfy(isLowerHex) }) else { return false }
        return fields[0].contains { $0 != UInt8(ascii: "0") } && fields[1].contains { $0 != UInt8(ascii: "0") }
    }

    /// Throws unless `text` is a `tracestate` list: 1 to 32 `key=value` entries separated by commas (with
    /// optional spaces or tabs around them), keys unique, at most 512 bytes in all.
    private static func checkTraceState(_ text: String) throws(TaskValidationError) {
        let bytes = Array(text.utf8)
        guard !bytes.isEmpty, bytes.count <= maximumTraceStateBytes else {
            throw TaskValidationError("tracestate: must be 1 to \(maximumTraceStateBytes) bytes, not \(bytes.count)")
        }
        let entries = bytes.split(separator: UInt8(ascii: ","), omittingEmptySubsequences: false)
        guard entries.count <= maximumTraceStateEntries else {
            throw TaskValidationError("tracestate: at most \(maximumTraceStateEntries) entries, not \(entries.count)")
        }
        var keys: Set<ArraySlice<UInt8>> = []
        for entry in entries {
            let trimmed = entry.drop(while: isOptionalSpace).reversed().drop(while: isOptionalSpace).reversed()
            let member = ArraySlice(trimmed)
            guard let equals = member.firstIndex(of: UInt8(ascii: "=")),
                isTraceStateKey(member[..<equals]), isTraceStateValue(member[(equals + 1)...])
            else {
                throw TaskValidationError(
                    "tracestate: \(JSONWriter.quoted(String(decoding: member, as: UTF8.self), limit: 64)) is not "
                        + "a key=value entry of a W3C tracestate"
                )
            }
            guard keys.insert(member[..<equals]).inserted else {
                throw TaskValidationError(
                    "tracestate: key \(JSONWriter.quoted(String(decoding: member[..<equals], as: UTF8.self))) "
                        + "given twice"
                )
            }
        }
    }

    /// A `simple-key` (`lcalpha 0*255(lcalpha / DIGIT / "_" / "-" / "*" / "/")`) or a `multi-tenant-key`
    /// (`tenant-id "@" system-id`).
    private static func isTraceStateKey(_ key: ArraySlice<UInt8>) -> Bool {
        guard let at = key.firstIndex(of: UInt8(ascii: "@")) else {
            return (1...256).contains(key.count) && key.first.map(isLowerAlpha) == true
                && key.allSatisfy(isKeyCharacter)
        }
        let tenant = key[..<at]
        let system = key[(at + 1)...]
        return (1...241).contains(tenant.count) && tenant.first.map { isLowerAlpha($0) || isDigit($0) } == true
            && tenant.allSatisfy(isKeyCharacter) && (1...14).contains(system.count)
            && system.first.map(isLowerAlpha) == true && system.allSatisfy(isKeyCharacter)
    }

    /// 1 to 256 printable ASCII characters but `,` and `=`, the last not a space.
    private static func isTraceStateValue(_ value: ArraySlice<UInt8>) -> Bool {
        (1...256).contains(value.count) && value.last != UInt8(ascii: " ")
            && value.allSatisfy { (0x20...0x7E).contains($0) && $0 != UInt8(ascii: ",") && $0 != UInt8(ascii: "=") }
    }
}

private func isLowerHex(_ byte: UInt8) -> Bool {
    isDigit(byte) || (UInt8(ascii: "a")...UInt8(ascii: "f")).contains(byte)
}

private func isDigit(_ byte: UInt8) -> Bool {
    (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte)
}

private func isLowerAlpha(_ byte: UInt8) -> Bool {
    (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte)
}

private func isKeyCharacter(_ byte: UInt8) -> Bool {
    isLowerAlpha(byte) || isDigit(byte)
        || [UInt8(ascii: "_"), UInt8(ascii: "-"), UInt8(ascii: "*"), UInt8(ascii: "/")]
            .contains(byte)
}

private func isOptionalSpace(_ byte: UInt8) -> Bool {
    byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\t")
}
