import SpoolCore

/// A small chart of values over time, drawn on the server as SVG: bars (an amount per interval) or a line
/// (a level), a scale from zero to a round maximum, and the times of its two ends. It scales to its
/// container's width; its colours come from the stylesheet (the page's policy allows no inline style).
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
        let maximum = Self.roundedUp(values.map(\.value).max() ?? 0)
        for fraction in [0.0, 0.5, 1.0] {
            let y = Self.top + plotHeight * (1 - fraction)
            parts.append(
                #"<line class="chart-grid" x1="\#(Self.rounded(Self.left))" x2="\#(Self.rounded(Self.width - Self.right))""#
                    + #" y1="\#(Self.rounded(y))" y2="\#(Self.rounded(y))"/>"#
                    + #"<text class="chart-label" x="\#(Self.rounded(Self.left - 6))" y="\#(Self.rounded(y + 4))""#
                    + #" text-anchor="end">\#(HTMLText.escaped(format(maximum * fraction)))</text>"#
            )
        }
        let span = Double(max(last.time.milliseconds - first.time.milliseconds, 1))
        let step = plotWidth / Double(max(values.count, 1))
        func x(_ time: Timestamp) -> Double {
            values.count == 1
                ? Self.left + plotWidth / 2
                : Self.left + step / 2 + (plotWidth - step) * Double(time.milliseconds - first.time.milliseconds) / span
        }
        func y(_ value: Double) -> Double { Self.top + plotHeight * (1 - value / maximum) }
        switch style {
        case .bars:
            let barWidth = max(step * 0.8, 1)
            for (time, value) in values where value > 0 {
                parts.append(
                    #"<rect class="chart-bar \#(tone)" x="\#(Self.rounded(x(time) - barWidth / 2))""#
                        + #" y="\#(Self.rounded(y(value)))" width="\#(Self.rounded(barWidth))""#
                        + #" height="\#(Self.rounded(Self.top + plotHeight - y(value)))"/>"#
                )
            }
        case .line:
            let points = values.map { "\(Self.rounded(x($0.time))),\(Self.rounded(y($0.value)))" }
            parts.append(#"<polyline class="chart-line \#(tone)" points="\#(points.joined(separator: " "))"/>"#)
        }
        for (time, anchor, position) in [(first.time, "start", Self.left), (last.time, "end", Self.width - Self.right)]
        {
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
