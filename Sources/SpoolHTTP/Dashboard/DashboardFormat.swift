import SpoolCore

/// How the dashboard writes times, durations and rates for people: short, in UTC.
enum DashboardFormat {
    /// `2026-12-05 09:30:00`, in UTC.
    static func time(_ time: Timestamp) -> String {
        let text = time.rfc3339
        return String(text.prefix(10)) + " " + String(text.dropFirst(11).prefix(8))
    }

    /// `09:30:00`, in UTC.
    static func clock(_ time: Timestamp) -> String {
        String(time.rfc3339.dropFirst(11).prefix(8))
    }

    /// `0.5 s`, `45 s`, `12 min`, `3.5 h`, `2.0 d`.
    static func duration(_ seconds: Double) -> String {
        switch seconds {
        case ..<10: "\(amount(seconds)) s"
        case ..<60: "\(Int(seconds.rounded())) s"
        case ..<3600: "\(Int((seconds / 60).rounded())) min"
        case ..<86_400: "\(oneDecimal(seconds / 3600)) h"
        default: "\(oneDecimal(seconds / 86_400)) d"
        }
    }

    /// A rate or count: whole above 10, one decimal below.
    static func amount(_ value: Double) -> String {
        value >= 10 || value == value.rounded() ? "\(Int(value.rounded()))" : oneDecimal(value)
    }

    private static func oneDecimal(_ value: Double) -> String {
        let tenths = Int((value * 10).rounded())
        return "\(tenths / 10).\(tenths % 10)"
    }
}
