/// The values one field of a cron spec allows, as a bit set over `0...63`.
struct CronField: Sendable, Hashable {
    /// Which field, with its range and names.
    enum Kind: String, Sendable {
        case second, minute, hour, dayOfMonth = "day of month", month, dayOfWeek = "day of week"

        var range: ClosedRange<Int> {
            switch self {
            case .second, .minute: 0...59
            case .hour: 0...23
            case .dayOfMonth: 1...31
            case .month: 1...12
            // 7 is Sunday too, as in most crons.
            case .dayOfWeek: 0...7
            }
        }

        var names: [String] {
            switch self {
            case .month: ["", "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"]
            case .dayOfWeek: ["sun", "mon", "tue", "wed", "thu", "fri", "sat"]
            default: []
            }
        }
    }

    private(set) var bits: UInt64 = 0
    /// Whether the field was `*` or `?` (or a step over all values, `*/n`): for the two day fields, a day
    /// then has to match only the other one.
    private(set) var isStar = false

    /// Whether `value` is allowed.
    func contains(_ value: Int) -> Bool { value >= 0 && value < 64 && bits & (1 << UInt64(value)) != 0 }

    /// Parses one field: `*`, `?` (day fields only), a value or name, `a-b`, any of these with `/step`, and
    /// comma-separated lists of them.
    init(parsing text: Substring, as kind: Kind) throws(CronSpecError) {
        guard !text.isEmpty else { throw CronSpecError("\(kind.rawValue) field is empty") }
        isStar = text.first == "*" || text.first == "?"
        for part in text.split(separator: ",", omittingEmptySubsequences: false) {
            try add(part, kind)
        }
        if kind == .dayOfWeek, contains(7) { bits = (bits | 1) & ~(1 << 7) }
    }

    private mutating func add(_ part: Substring, _ kind: Kind) throws(CronSpecError) {
        let pieces = part.split(separator: "/", maxSplits: 2, omittingEmptySubsequences: false)
        guard pieces.count <= 2 else {
            throw CronSpecError("\(kind.rawValue) field: \"\(part)\" has more than one step")
        }
        var step = 1
        if pieces.count == 2 {
            guard let value = Int(pieces[1]), value >= 1, value <= kind.range.upperBound + 1 else {
                throw CronSpecError(
                    "\(kind.rawValue) field: step \"\(pieces[1])\" is not a number in 1-\(kind.range.upperBound + 1)"
                )
            }
            step = value
        }
        let base = pieces[0]
        let low: Int
        let high: Int
        if base == "*" || base == "?" {
            if base == "?", kind != .dayOfMonth, kind != .dayOfWeek {
                throw CronSpecError("\(kind.rawValue) field: \"?\" is allowed only in the day fields")
            }
            low = kind == .dayOfWeek ? 0 : kind.range.lowerBound
            high = kind == .dayOfWeek ? 6 : kind.range.upperBound
        } else if let dash = base.firstIndex(of: "-") {
            low = try Self.value(base[..<dash], kind)
            high = try Self.value(base[base.index(after: dash)...], kind)
            guard low <= high else { throw CronSpecError("\(kind.rawValue) field: range \"\(base)\" runs backwards") }
        } else {
            low = try Self.value(base, kind)
            // `a/n` means from a to the end of the range, stepping by n.
            high = pieces.count == 2 ? kind.range.upperBound : low
        }
        for value in stride(from: low, through: high, by: step) { bits |= 1 << UInt64(value) }
    }

    private static func value(_ text: Substring, _ kind: Kind) throws(CronSpecError) -> Int {
        if text.allSatisfy({ $0.isASCII && $0.isNumber }), let number = Int(text) {
            guard kind.range.contains(number) else {
                throw CronSpecError(
                    "\(kind.rawValue) field: \(number) is out of range \(kind.range.lowerBound)-\(kind.range.upperBound)"
                )
            }
            return number
        }
        if let index = kind.names.firstIndex(of: text.lowercased()), !text.isEmpty { return index }
        throw CronSpecError("\(kind.rawValue) field: \"\(text)\" is not a value")
    }
}
