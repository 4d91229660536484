import SpoolCore

/// A small chart of values over time, drawn on the server as SVG: bars (an amount per interval) or a line
/// (a level), a scale from zero to a round maximum, and the times of its two ends. Its time axis spans at
/// least ``slots`` intervals, ending at the latest value, so that a short history fills it from the right.
/// It scales to its container's width; its colours come from the stylesheet (the page's policy allows no
/// inline style).
struct SVGChart {
    /// How values are drawn.
    enum Style {
        /// One bar per value: an amount per interval.
        case bars
        /// A line through the values: a level.
        case line
    }

    /// What the chart shows, for screen readers and as its tooltip.
    var title: String
    /// The values, the oldest first.
    var values: [(time: Timestamp, value: Double)]
    var style: Style
    /// The class of the drawing (its colour in the stylesheet).
    var tone: String
    /// How a value of the scale is written.
    var format: (Double) -> String
    /// The scale's least maximum.
    var minimumScale = 1.0
    /// Seconds between two values, as sampled.
    var interval = StatsSampler.interval
    /// Intervals the time axis spans at the least.
    var slots = 60

    private static let width = 640.0
    private static let height = 180.0
    private static let left = 56.0
    private static let right = 8.0
    private static let top = 10.0
    private static let bottom = 24.0

    /// The chart as an `<svg>` element.
    var svg: String {
        let plotWidth = Self.width - Self.left - Self.right
        let plotHeight = Self.height - Self.top - Self.bottom
        var parts = [
            #"<svg class="chart" viewBox="0 0 \#(Int(Self.width)) \#(Int(Self.height))" role="img""#
                + #" aria-label="\#(HTMLText.escaped(title))">"#,
            "<title>\(HTMLText.escaped(title))</title>",
        ]
        guard let first = values.first, let last = values.last else {
            parts.append(
                #"<text class="chart-empty" x="\#(Int(Self.width / 2))" y="\#(Int(Self.height / 2))""#
                    + #" text-anchor="middle">collecting samples…</text></svg>"#
            )
            return parts.joined()
        }
        let maximum = Self.roundedUp(max(values.map(\.value).max() ?? 0, minimumScale))
        for fraction in [0.0, 0.5, 1.0] {
            let y = Self.top + plotHeight * (1 - fraction)
            parts.append(
                #"<line class="chart-grid" x1="\#(Self.rounded(Self.left))" x2="\#(Self.rounded(Self.width - Self.right))""#
                    + #" y1="\#(Self.rounded(y))" y2="\#(Self.rounded(y))"/>"#
                    + #"<text class="chart-label" x="\#(Self.rounded(Self.left - 6))" y="\#(Self.rounded(y + 4))""#
                    + #" text-anchor="end">\#(HTMLText.escaped(format(maximum * fraction)))</text>"#
            )
        }
        // Each value closes the interval that began at the one before (the first: one interval before it).
        let step = Int64(interval * 1000)
        let end = last.time.milliseconds
        let start = min(first.time.milliseconds - step, end - step * Int64(slots))
        func x(_ milliseconds: Int64) -> Double {
            Self.left + plotWidth * Double(milliseconds - start) / Double(max(end - start, 1))
        }
        func y(_ value: Double) -> Double { Self.top + plotHeight * (1 - value / maximum) }
        switch style {
        case .bars:
            var begin = first.time.milliseconds - step
            for (time, value) in values {
                defer { begin = time.milliseconds }
                guard value > 0 else { continue }
                let width = max((x(time.milliseconds) - x(begin)) * 0.8, 1)
                parts.append(
                    #"<rect class="chart-bar \#(tone)" x="\#(Self.rounded(x(time.milliseconds) - width))""#
                        + #" y="\#(Self.rounded(y(value)))" width="\#(Self.rounded(width))""#
                        + #" height="\#(Self.rounded(Self.top + plotHeight - y(value)))"/>"#
                )
            }
        case .line:
            let points = values.map { "\(Self.rounded(x($0.time.milliseconds))),\(Self.rounded(y($0.value)))" }
            parts.append(#"<polyline class="chart-line \#(tone)" points="\#(points.joined(separator: " "))"/>"#)
        }
        let ends = [
            (Timestamp(milliseconds: start), "start", Self.left), (last.time, "end", Self.width - Self.right),
        ]
        for (time, anchor, position) in ends {
            parts.append(
                #"<text class="chart-label" x="\#(Self.rounded(position))" y="\#(Self.rounded(Self.height - 6))""#
                    + #" text-anchor="\#(anchor)">"#
                    + "\(DashboardFormat.clock(time))</text>"
            )
        }
        parts.append("</svg>")
        return parts.joined()
    }

    /// The smallest of 1, 2 and 5 times a power of ten that is at least `value` (1 for 0).
    static func roundedUp(_ value: Double) -> Double {
        guard value > 0 else { return 1 }
        var magnitude = 1.0
        while magnitude * 10 < value { magnitude *= 10 }
        while magnitude > value { magnitude /= 10 }
        for factor in [1.0, 2, 5, 10] where magnitude * factor >= value { return magnitude * factor }
        return magnitude * 10
    }

    /// `value` with at most one decimal, as SVG coordinates are written.
    private static func rounded(_ value: Double) -> String {
        let tenths = (value * 10).rounded()
        return tenths.truncatingRemainder(dividingBy: 10) == 0 ? "\(Int(tenths / 10))" : "\(tenths / 10)"
    }
}
