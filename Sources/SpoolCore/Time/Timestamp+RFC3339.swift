extension Timestamp {
    /// The time in RFC 3339 form, UTC, with milliseconds: `2026-11-21T09:30:00.250Z`.
    public var rfc3339: String {
        let time = civil
        return pad(time.year, 4) + "-" + pad(time.month, 2) + "-" + pad(time.day, 2) + "T" + pad(time.hour, 2) + ":"
            + pad(time.minute, 2) + ":" + pad(time.second, 2) + "." + pad(time.millisecond, 3) + "Z"
    }

    /// Parses an RFC 3339 date-time with a `Z` or `±HH:MM` offset and optional fractional seconds
    /// (kept to the millisecond). Returns `nil` for anything else.
    public init?(rfc3339 text: String) {
        var scanner = Array(text.utf8)[...]
        func number(_ digits: Int) -> Int64? {
            guard scanner.count >= digits else { return nil }
            var value: Int64 = 0
            for byte in scanner.prefix(digits) {
                guard byte >= 48, byte <= 57 else { return nil }
                value = value * 10 + Int64(byte - 48)
            }
            scanner = scanner.dropFirst(digits)
            return value
        }
        func expect(_ characters: String) -> Bool {
            guard let byte = scanner.first, characters.utf8.contains(byte) else { return false }
            scanner = scanner.dropFirst()
            return true
        }
        guard let year = number(4), expect("-"), let month = number(2), expect("-"), let day = number(2),
            expect("Tt"), let hour = number(2), expect(":"), let minute = number(2), expect(":"),
            let second = number(2)
        else { return nil }
        var millisecond: Int64 = 0
        if expect(".") {
            var digits = 0
            while let byte = scanner.first, byte >= 48, byte <= 57 {
                if digits < 3 { millisecond = millisecond * 10 + Int64(byte - 48) }
                digits += 1
                scanner = scanner.dropFirst()
            }
            guard digits > 0 else { return nil }
            for _ in digits..<max(digits, 3) { millisecond *= 10 }
        }
        var offsetMinutes: Int64 = 0
        if expect("Zz") {
            offsetMinutes = 0
        } else if let sign = scanner.first, sign == UInt8(ascii: "+") || sign == UInt8(ascii: "-") {
            scanner = scanner.dropFirst()
            guard let offsetHours = number(2), expect(":"), let offsetMinute = number(2), offsetHours < 24,
                offsetMinute < 60
            else { return nil }
            offsetMinutes = (offsetHours * 60 + offsetMinute) * (sign == UInt8(ascii: "-") ? -1 : 1)
        } else {
            return nil
        }
        guard scanner.isEmpty,
            let local = Timestamp(
                civil: CivilTime(
                    year: year,
                    month: month,
                    day: day,
                    hour: hour,
                    minute: minute,
                    second: second,
                    millisecond: millisecond
                )
            )
        else { return nil }
        // A leap second (second 60) falls at the end of a UTC day only: 23:59:60Z.
        if second == 60, ((hour * 60 + minute - offsetMinutes) % 1440 + 1440) % 1440 != 1439 { return nil }
        self.init(milliseconds: local.milliseconds - offsetMinutes * 60_000)
    }
}
