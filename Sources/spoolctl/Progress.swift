import SpoolCore
import SystemPackage

#if canImport(Glibc)
import Glibc
#endif

/// A progress line on standard error while a long command runs: a bar with the count, the rate and the
/// time left when the total is known. Nothing when standard error is not a terminal (piped, in a script),
/// and redrawn at most ten times a second.
final class Progress {
    private let label: String
    /// Out of how many, when known.
    var total: Int?
    /// Whether the line is shown: standard error is a terminal.
    let isShown: Bool
    private let start = Progress.now()
    private var lastDraw: Int64 = 0
    private var done = 0

    /// A progress line for `label`; set ``total`` when it is known.
    init(_ label: String) {
        self.label = label
        isShown = isatty(STDERR_FILENO) == 1
    }

    /// Shows that `done` items are done.
    func update(_ done: Int) {
        self.done = done
        guard isShown else { return }
        let now = Progress.now()
        guard now - lastDraw >= 100 else { return }
        lastDraw = now
        draw(now: now)
    }

    /// Erases the line, so that a line printed next starts at the left margin; the next update draws it again.
    func clear() {
        guard isShown else { return }
        write("\r\u{1B}[K")
    }

    /// Shows the last count given and ends the line.
    func finish() {
        guard isShown else { return }
        draw(now: Progress.now())
        write("\n")
    }

    private func draw(now: Int64) {
        let seconds = Double(max(now - start, 1)) / 1000
        let rate = Double(done) / seconds
        var text = "\r\(label) "
        if let total, total > 0 {
            let fraction = min(Double(done) / Double(total), 1)
            let width = 30
            let filled = Int(fraction * Double(width))
            text += "[" + String(repeating: "=", count: filled) + String(repeating: " ", count: width - filled) + "] "
            text += "\(done)/\(total) \(Int(fraction * 100))%"
            if rate > 0, done < total { text += " ETA \(Int((Double(total - done) / rate).rounded(.up)))s" }
        } else {
            text += "\(done)"
        }
        text += " \(Int(rate))/s\u{1B}[K"
        write(text)
    }

    private func write(_ text: String) {
        _ = try? FileDescriptor.standardError.writeAll(Array(text.utf8))
    }

    private static func now() -> Int64 {
        var time = timespec()
        clock_gettime(CLOCK_MONOTONIC, &time)
        return Int64(time.tv_sec) * 1000 + Int64(time.tv_nsec) / 1_000_000
    }
}
