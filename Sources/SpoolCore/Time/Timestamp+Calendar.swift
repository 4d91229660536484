/// A UTC calendar date and time of day, to the millisecond.
struct CivilTime: Equatable {
    var year: Int64
    var month: Int64
    var day: Int64
    var hour: Int64
    var minute: Int64
    var second: Int64
    var millisecond: Int64
}

extension Timestamp {
    /// The UTC date and time of day of this timestamp.
    var civil: CivilTime {
        let days = milliseconds.floorDivide(86_400_000)
        var rest = milliseconds.floorModulo(86_400_000)
        let (year, month, day) = Timestamp.civilDate(fromDays: days)
        let hour = rest / 3_600_000
        rest %= 3_600_000
        let minute = rest / 60_000
        rest %= 60_000
        return CivilTime(
            year: year,
            month: month,
            day: day,
            hour: hour,
            minute: minute,
            second: rest / 1000,
            millisecond: rest % 1000
        )
    }

    /// Creates a timestamp from UTC calendar fields, or `nil` if a field is out of range.
    init?(civil: CivilTime) {
        guard (1...12).contains(civil.month),
            (1...Timestamp.daysIn(month: civil.month, year: civil.year)).contains(civil.day),
            (0...23).contains(civil.hour), (0...59).contains(civil.minute), (0...60).contains(civil.second),
            (0...999).contains(civil.millisecond)
        else { return nil }
        let days = Timestamp.days(fromYear: civil.year, month: civil.month, day: civil.day)
        let seconds = min(civil.second, 59)
        milliseconds =
            days * 86_400_000 + civil.hour * 3_600_000 + civil.minute * 60_000 + seconds * 1000 + civil.millisecond
    }

    /// The UTC day as `YYYYMMDD`: the name of day folders in `done/`, `dead/` and `scheduled/`.
    public var dayFolderName: String {
        let time = civil
        return pad(time.year, 4) + pad(time.month, 2) + pad(time.day, 2)
    }

    /// The UTC day and hour as `YYYYMMDDHH`: the name of the folders in `done/<queue>/` and `dead/<queue>/`.
    public var hourFolderName: String {
        let time = civil
        return pad(time.year, 4) + pad(time.month, 2) + pad(time.day, 2) + pad(time.hour, 2)
    }

    /// The UTC time of day as `HHMM`: the name of minute folders in `scheduled/<queue>/<day>/`.
    public var minuteFolderName: String {
        let time = civil
        return pad(time.hour, 2) + pad(time.minute, 2)
    }

    /// Parses a `YYYYMMDD` day folder name and an optional `HHMM` minute folder name into the start of that
    /// day or minute.
    public init?(dayFolder: String, minuteFolder: String = "0000") {
        let dayDigits = Array(dayFolder.utf8)
        let minuteDigits = Array(minuteFolder.utf8)
        guard dayDigits.count == 8, minuteDigits.count == 4,
            let year = Int64(dayFolder.prefix(4)), let month = Int64(dayFolder.dropFirst(4).prefix(2)),
            let day = Int64(dayFolder.suffix(2)), let hour = Int64(minuteFolder.prefix(2)),
            let minute = Int64(minuteFolder.suffix(2)),
            dayDigits.allSatisfy({ $0 >= 48 && $0 <= 57 }), minuteDigits.allSatisfy({ $0 >= 48 && $0 <= 57 })
        else { return nil }
        self.init(
            civil: CivilTime(year: year, month: month, day: day, hour: hour, minute: minute, second: 0, millisecond: 0)
        )
    }

    // Days since 1970-01-01 from a proleptic Gregorian date, and back (the classic era-based algorithm).
    package static func days(fromYear year: Int64, month: Int64, day: Int64) -> Int64 {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yearOfEra = y - era * 400
        let monthIndex = month > 2 ? month - 3 : month + 9
        let dayOfYear = (153 * monthIndex + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }

    package static func civilDate(fromDays days: Int64) -> (Int64, Int64, Int64) {
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let dayOfEra = z - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let monthIndex = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * monthIndex + 2) / 5 + 1
        let month = monthIndex < 10 ? monthIndex + 3 : monthIndex - 9
        return (yearOfEra + era * 400 + (month <= 2 ? 1 : 0), month, day)
    }

    package static func daysIn(month: Int64, year: Int64) -> Int64 {
        switch month {
        case 2: return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }
}

/// `value` in decimal, left-padded with zeros to `width` digits.
func pad(_ value: Int64, _ width: Int) -> String {
    let digits = String(value)
    return digits.count >= width ? digits : String(repeating: "0", count: width - digits.count) + digits
}
