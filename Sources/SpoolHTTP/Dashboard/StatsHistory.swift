public import SpoolCore
import Synchronization

/// The counts of a spool taken now and then (``StatsSampler``), and what the dashboard's charts draw from
/// them: the latest counts, and a bounded history of points, one per sample after the first, the oldest
/// dropped once ``capacity`` are kept. It lives in the server's memory: its history starts when the server
/// starts.
public final class StatsHistory: Sendable {
    /// What the charts show of one interval between two samples.
    public struct Point: Sendable, Hashable {
        /// When the interval ended (its second sample was taken).
        public var time: Timestamp
        /// Tasks finished (succeeded or dead) per minute over the interval: how much `done/` and `dead/`
        /// grew, so a purge or a retry by hand in the same interval hides as many.
        public var finishedPerMinute: Double
        /// Tasks that died per minute over the interval: how much `dead/` grew.
        public var diedPerMinute: Double
        /// How long the oldest task due in a queue that is not paused had waited for a worker, in seconds.
        public var oldestWait: Double
    }

    private struct State {
        var latest: SpoolStats?
        var ring: [Point] = []
        /// Where the next point goes once the ring is full.
        var next = 0
    }

    /// The most points kept: with a sample every 5 s, the last hour.
    public let capacity: Int
    private let state = Mutex(State())

    /// An empty history keeping at most `capacity` points.
    public init(capacity: Int = 720) {
        self.capacity = max(capacity, 1)
    }

    /// Adds a sample: the point of the interval since the previous one, if there was one.
    public func record(_ stats: SpoolStats) {
        state.withLock { state in
            defer { state.latest = stats }
            guard let previous = state.latest, stats.now > previous.now else { return }
            let minutes = Double(stats.now.milliseconds - previous.now.milliseconds) / 60_000
            let done = Self.total(.done, in: stats) - Self.total(.done, in: previous)
            let dead = Self.total(.dead, in: stats) - Self.total(.dead, in: previous)
            let point = Point(
                time: stats.now,
                finishedPerMinute: Double(max(done, 0) + max(dead, 0)) / minutes,
                diedPerMinute: Double(max(dead, 0)) / minutes,
                oldestWait: Self.oldestWait(in: stats)
            )
            if state.ring.count < capacity {
                state.ring.append(point)
            } else {
                state.ring[state.next] = point
                state.next = (state.next + 1) % capacity
            }
        }
    }

    /// The latest sample, if any was taken.
    public var latest: SpoolStats? { state.withLock { $0.latest } }

    /// The points kept, the oldest first.
    public var points: [Point] {
        state.withLock { Array($0.ring[$0.next...] + $0.ring[..<$0.next]) }
    }

    private static func total(_ state: TaskState, in stats: SpoolStats) -> Int {
        stats.queues.reduce(0) { $0 + $1[state] }
    }

    /// The longest wait of a task due in a queue that is not paused (a paused queue's tasks wait on
    /// purpose), in seconds.
    private static func oldestWait(in stats: SpoolStats) -> Double {
        let paused = Set(stats.paused)
        let earliest = stats.queues.filter { !paused.contains($0.queue) }.compactMap(\.oldestDue).min()
        return earliest.map { max(Double(stats.now.milliseconds - $0.milliseconds) / 1000, 0) } ?? 0
    }
}
