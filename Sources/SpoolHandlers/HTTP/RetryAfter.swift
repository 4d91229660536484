import SpoolCore

/// The `Retry-After` header (RFC 9110, section 10.2.3): a number of seconds, or an HTTP date.
enum RetryAfter {
    /// The seconds to wait that `value` asks for, counted from `now` for a date, never negative and at most
    /// ``TaskRecord/maximumDelay`` (a server may send any number of digits), or `nil` when `value` is neither
    /// delta-seconds nor an HTTP date.
    static func seconds(_ value: String, now: Timestamp) -> Double? {
        let text = value.trimmingWhitespace
        let seconds: Double
        if !text.isEmpty, text.utf8.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }) {
            guard let number = Double(text) else { return nil }
            seconds = number
        } else {
            guard let date = date(text) else { return nil }
            seconds = Double(date.milliseconds - now.milliseconds) / 1000
        }
        return min(max(0, seconds), TaskRecord.maximumDelay)
    }

    /// Parses the three forms of HTTP date a recipient must accept, all in GMT:
    /// `Sun, 06 Nov 1994 08:49:37 GMT` (IMF-fixdate), `Sunday, 06-Nov-94 08:49:37 GMT` (RFC 850) and
    /// `Sun Nov  6 08:49:37 1994` (asctime).
    static func date(_ text: String) -> Timestamp? {
        let separators: Set<Character> = [" ", ",", "-"]
        var month: Int?
        var time: String?
        var numbers: [Substring] = []
        for token in text.split(whereSeparator: { separators.contains($0) }) {
            if let index = monthNames.firstIndex(of: token.lowercased()) {
                month = index + 1
            } else if token.contains(":") {
                time = String(token)
            } else if token.allSatisfy(\.isASCIIDigit) {
                numbers.append(token)
            }
        }
        // The day comes before the year in all three forms.
        guard let month, let time, numbers.count == 2, numbers[0].count <= 2, var year = Int(numbers[1]),
            let day = Int(numbers[0])
        else { return nil }
        if numbers[1].count == 2 { year += year < 70 ? 2000 : 1900 }
        func two(_ value: Int) -> String { value < 10 ? "0\(value)" : "\(value)" }
        guard (1000...9999).contains(year) else { return nil }
        return Timestamp(rfc3339: "\(year)-\(two(month))-\(two(day))T\(time)Z")
    }

    private static let monthNames = [
        "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec",
    ]
}

extension Character {
    /// Whether this is one of the ASCII digits 0 to 9.
    fileprivate var isASCIIDigit: Bool { isASCII && isNumber }
}
