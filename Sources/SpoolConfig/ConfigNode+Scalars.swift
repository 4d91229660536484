/// Typed readers for scalar settings; each names the setting, the expectation and what was written.
extension ConfigNode {
    /// The scalar's text as written: numbers and booleans are kept as their text (`8080`, `true`).
    ///
    /// - Parameter nonEmpty: Whether an empty string is refused.
    func string(nonEmpty: Bool = true) throws(ConfigProblem) -> String {
        guard let text, !(nonEmpty && text.isEmpty) else {
            throw mismatch(nonEmpty ? "a non-empty string" : "a string")
        }
        return text
    }

    /// A decimal integer within `range`.
    func integer(in range: ClosedRange<Int>) throws(ConfigProblem) -> Int {
        guard let text, let value = Int(text), range.contains(value) else {
            throw mismatch("an integer \(describe(range))")
        }
        return value
    }

    /// A decimal integer of at least `minimum`.
    func integer(atLeast minimum: Int) throws(ConfigProblem) -> Int {
        try integer(in: minimum...Int.max)
    }

    /// A finite decimal number within `range`.
    func number(in range: ClosedRange<Double>) throws(ConfigProblem) -> Double {
        guard let text, let value = DurationSyntax.decimal(text), range.contains(value) else {
            throw mismatch("a number \(describe(range))")
        }
        return value
    }

    /// A duration in seconds: a number of seconds, or a number with a unit (`500ms`, `90s`, `5m`, `1.5h`, `7d`).
    ///
    /// - Parameters:
    ///   - allowingZero: Whether zero is allowed; a negative duration never is.
    ///   - maximum: The longest duration allowed, in seconds. Default: 100 years, as for a task's delay.
    func duration(
        allowingZero: Bool = false,
        atMost maximum: Double = DurationSyntax.longest
    ) throws(ConfigProblem) -> Double {
        guard let text, let seconds = DurationSyntax.seconds(text) else {
            throw mismatch(#"a duration: seconds, or a number with unit ms, s, m, h or d such as "90s" or "1.5h""#)
        }
        guard allowingZero ? seconds >= 0 : seconds > 0 else {
            throw mismatch(allowingZero ? "a duration of at least 0 seconds" : "a duration longer than 0 seconds")
        }
        guard seconds <= maximum else { throw mismatch("a duration of at most \(DurationSyntax.format(maximum))") }
        return seconds
    }

    /// One of a fixed set of words, such as `full`, `enqueue` or `none`.
    func choice<Value>(_ options: [(name: String, value: Value)]) throws(ConfigProblem) -> Value {
        guard let text, let match = options.first(where: { $0.name == text }) else {
            throw mismatch(listing(options.map(\.name), conjunction: "or"))
        }
        return match.value
    }
}

/// `a`, `a or b`, `a, b or c`.
func listing(_ words: [String], conjunction: String) -> String {
    guard let last = words.last, words.count > 1 else { return words.first ?? "" }
    return words.dropLast().joined(separator: ", ") + " \(conjunction) " + last
}

/// `≥ 1`, `from 1 to 65535`.
private func describe(_ range: ClosedRange<Int>) -> String {
    range.upperBound == .max ? "≥ \(range.lowerBound)" : "from \(range.lowerBound) to \(range.upperBound)"
}

/// `≥ 1`, `from 0 to 1`.
private func describe(_ range: ClosedRange<Double>) -> String {
    range.upperBound == .infinity
        ? "≥ \(format(range.lowerBound))" : "from \(format(range.lowerBound)) to \(format(range.upperBound))"
}

/// A number as people write it: `1`, not `1.0`.
private func format(_ value: Double) -> String {
    value.rounded() == value && abs(value) < 1e15 ? String(Int(value)) : String(value)
}
