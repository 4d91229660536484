/// The text forms of durations and decimal numbers in `spool.yaml`.
package enum DurationSyntax {
    /// Seconds per unit; `ms` comes before `m` and `s` so that the longest suffix wins.
    private static let units: [(suffix: String, seconds: Double)] = [
        ("ms", 0.001), ("s", 1), ("m", 60), ("h", 3600), ("d", 86400),
    ]

    /// The longest duration any setting accepts: 100 years, the longest delay a task may ask for.
    package static let longest: Double = 3_153_600_000

    /// `seconds` in the largest unit that divides it (`7d`, `90m`), for error messages.
    static func format(_ seconds: Double) -> String {
        for unit in units.reversed() {
            let count = seconds / unit.seconds
            if count >= 1, count.rounded() == count, count < 1e15 { return "\(Int(count))\(unit.suffix)" }
        }
        return "\(seconds)s"
    }

    /// The seconds that `text` stands for: a decimal number of seconds (`90`, `1.5`) or a decimal number
    /// followed by a unit `ms`, `s`, `m`, `h` or `d` (`500ms`, `90s`, `5m`, `1.5h`, `7d`). A sign is read, so
    /// that the caller can say a negative duration is out of range rather than malformed.
    package static func seconds(_ text: String) -> Double? {
        if let value = decimal(text) { return value }
        for unit in units where text.hasSuffix(unit.suffix) {
            guard let value = decimal(String(text.dropLast(unit.suffix.count))) else { return nil }
            let seconds = value * unit.seconds
            return seconds.isFinite ? seconds : nil
        }
        return nil
    }

    /// A decimal number: an optional sign, digits, and optionally a point and more digits (`5`, `-2`, `0.25`).
    /// No exponent, `inf` or `nan`.
    static func decimal(_ text: String) -> Double? {
        var digits = Substring(text)
        if digits.first == "-" || digits.first == "+" { digits = digits.dropFirst() }
        let parts = digits.split(separator: ".", omittingEmptySubsequences: false)
        guard (1...2).contains(parts.count),
            parts.allSatisfy({ !$0.isEmpty && $0.allSatisfy { $0.isASCII && $0.isNumber } })
        else { return nil }
        guard let value = Double(text), value.isFinite else { return nil }
        return value
    }
}
