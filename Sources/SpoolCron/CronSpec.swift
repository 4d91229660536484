/// A parsed cron spec: when an entry fires, in wall-clock time of some time zone.
///
/// Accepted forms:
/// - five fields, `minute hour day-of-month month day-of-week` (fires at second 0);
/// - six fields, with `second` first (as Quartz and robfig/cron write it);
/// - `@every <interval>`, such as `@every 10s` or `@every 1h30m`: fires at every multiple of the interval
///   since the Unix epoch, so that every scheduler computes the same ticks, whatever its time zone;
/// - `@yearly` (`@annually`), `@monthly`, `@weekly`, `@daily` (`@midnight`) and `@hourly`.
///
/// Each field takes `*`, a number or a name (`jan`…`dec`, `sun`…`sat`, either case), a range `a-b`, a step
/// `*/n`, `a-b/n` or `a/n`, and comma-separated lists of these; `?` means `*` in the day fields. Day of week
/// 0 and 7 are both Sunday. When both day fields are restricted, a day matching either fires (as in
/// Vixie cron); when one is `*` or `?`, the other alone decides.
public struct CronSpec: Sendable, Hashable, CustomStringConvertible {
    enum Form: Sendable, Hashable {
        case fields(
            second: CronField,
            minute: CronField,
            hour: CronField,
            day: CronField,
            month: CronField,
            weekday: CronField
        )
        case every(seconds: Int64)
    }

    let form: Form
    /// The spec as written.
    public let description: String

    /// The longest interval of `@every`: one year.
    public static let longestInterval: Int64 = 366 * 86_400

    /// Parses `text`.
    ///
    /// - Throws: ``CronSpecError`` naming the field or part that is wrong.
    public init(_ text: String) throws(CronSpecError) {
        description = text
        form = try CronSpec.form(of: text)
    }

    private static func form(of text: String) throws(CronSpecError) -> Form {
        let words = text.split(whereSeparator: { $0 == " " || $0 == "\t" })
        guard let first = words.first else { throw CronSpecError("cron spec is empty") }
        guard first.hasPrefix("@") else { return try fields(words, text: text) }
        let shorthand: String
        switch first.lowercased() {
        case "@every":
            guard words.count == 2 else { throw CronSpecError("@every takes one interval, such as \"@every 10s\"") }
            return .every(seconds: try interval(words[1]))
        case "@yearly", "@annually": shorthand = "0 0 0 1 1 *"
        case "@monthly": shorthand = "0 0 0 1 * *"
        case "@weekly": shorthand = "0 0 0 * * 0"
        case "@daily", "@midnight": shorthand = "0 0 0 * * *"
        case "@hourly": shorthand = "0 0 * * * *"
        default: throw CronSpecError("unknown cron shorthand \"\(first)\"")
        }
        guard words.count == 1 else { throw CronSpecError("\(first) takes nothing after it") }
        return try fields(shorthand.split(separator: " "), text: text)
    }

    private static func fields(_ words: [Substring], text: String) throws(CronSpecError) -> Form {
        var words = words
        switch words.count {
        case 5: words.insert("0", at: 0)
        case 6: break
        default:
            throw CronSpecError(
                "cron spec \"\(text)\" has \(words.count) fields: expected 5 (minute hour day month weekday) "
                    + "or 6 (with seconds first)"
            )
        }
        do {
            return .fields(
                second: try CronField(parsing: words[0], as: .second),
                minute: try CronField(parsing: words[1], as: .minute),
                hour: try CronField(parsing: words[2], as: .hour),
                day: try CronField(parsing: words[3], as: .dayOfMonth),
                month: try CronField(parsing: words[4], as: .month),
                weekday: try CronField(parsing: words[5], as: .dayOfWeek)
            )
        } catch {
            throw CronSpecError("cron spec \"\(text)\": \(error.message)")
        }
    }

    /// Parses an interval such as `10s`, `5m`, `1h30m` or `2d`: whole numbers with units `d`, `h`, `m`,
    /// `s`, from one second to ``longestInterval``.
    public static func interval(_ text: Substring) throws(CronSpecError) -> Int64 {
        var total: Int64 = 0
        var number: Int64?
        for character in text {
            if let digit = character.wholeNumberValue, character.isASCII {
                let (value, overflow) = (number ?? 0).multipliedReportingOverflow(by: 10)
                guard !overflow, value <= longestInterval else {
                    throw CronSpecError("interval \"\(text)\" is too long")
                }
                number = value + Int64(digit)
                continue
            }
            let unit: Int64
            switch character {
            case "d": unit = 86_400
            case "h": unit = 3_600
            case "m": unit = 60
            case "s": unit = 1
            default: throw CronSpecError("interval \"\(text)\": \"\(character)\" is not a unit (d, h, m, s)")
            }
            guard let value = number else { throw CronSpecError("interval \"\(text)\": a unit without a number") }
            total += value * unit
            guard total <= longestInterval else { throw CronSpecError("interval \"\(text)\" is longer than a year") }
            number = nil
        }
        guard number == nil else { throw CronSpecError("interval \"\(text)\": the last number has no unit") }
        guard total >= 1 else { throw CronSpecError("interval \"\(text)\" is shorter than a second") }
        return total
    }
}
