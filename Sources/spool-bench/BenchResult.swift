import SpoolCore

/// One measured figure: a JSON line in the peers' format (`peer`, `setting`, `workload`, then the figures),
/// and a row of the printed table.
struct BenchResult {
    var peer = "spool"
    var workload: String
    var setting: String
    /// The figures, in the order they are printed.
    var fields: [JSONMember] = []
    /// The figure shown in the table, such as `4,870 tasks/s`.
    var summary: String

    init(workload: String, setting: String, summary: String, _ fields: [(String, JSONValue)]) {
        self.workload = workload
        self.setting = setting
        self.summary = summary
        self.fields = fields.map { JSONMember($0.0, $0.1) }
    }

    var jsonLine: String {
        let members =
            [
                JSONMember("peer", .string(peer)), JSONMember("workload", .string(workload)),
                JSONMember("setting", .string(setting)),
            ] + fields
        return String(decoding: JSONWriter.encode(.object(members)), as: UTF8.self)
    }
}

extension JSONValue {
    /// A figure rounded to `digits` decimals.
    static func rounded(_ value: Double, _ digits: Int = 1) -> JSONValue {
        var scale = 1.0
        for _ in 0..<digits { scale *= 10 }
        return .double((value * scale).rounded() / scale)
    }
}

/// Formats figures for the table.
enum Figure {
    /// `12,345`: a whole number with thousands separators.
    static func grouped(_ value: Double) -> String {
        let whole = Int(value.rounded())
        let digits = String(abs(whole))
        var grouped = ""
        for (index, digit) in digits.enumerated() {
            if index > 0, (digits.count - index) % 3 == 0 { grouped.append(",") }
            grouped.append(digit)
        }
        return (whole < 0 ? "-" : "") + grouped
    }

    static func rate(_ perSecond: Double) -> String { "\(grouped(perSecond)) tasks/s" }

    static func milliseconds(_ value: Double) -> String {
        let hundredths = Int((value * 100).rounded())
        let fraction = hundredths % 100
        return "\(hundredths / 100).\(fraction < 10 ? "0" : "")\(fraction) ms"
    }
}

/// Nearest-rank percentiles of a sample.
struct Percentiles {
    private let sorted: [Double]

    init(_ sample: [Double]) { sorted = sample.sorted() }

    var isEmpty: Bool { sorted.isEmpty }
    var minimum: Double { sorted.first ?? 0 }
    var maximum: Double { sorted.last ?? 0 }

    /// The value below which a fraction `quantile` of the sample lies.
    func at(_ quantile: Double) -> Double {
        guard !sorted.isEmpty else { return 0 }
        let rank = Int((quantile * Double(sorted.count)).rounded(.up))
        return sorted[min(max(rank, 1), sorted.count) - 1]
    }
}
