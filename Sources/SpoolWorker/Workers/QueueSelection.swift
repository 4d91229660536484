import SpoolCore

/// Picks the queue a free worker slot claims from, among those with tasks waiting.
struct QueueSelection {
    let order: EngineConfiguration.QueueOrder

    /// The chosen queue among `candidates` (queue name and weight), or `nil` when there are none.
    func pick(
        _ candidates: [(queue: String, weight: Int)],
        using generator: inout some RandomNumberGenerator
    ) -> String? {
        switch order {
        case .strict:
            return candidates.max { ($0.weight, $1.queue) < ($1.weight, $0.queue) }?.queue
        case .weighted:
            // One queue needs no draw (a draw reads the system's random source).
            if candidates.count == 1 { return candidates[0].weight > 0 ? candidates[0].queue : nil }
            let total = candidates.reduce(0) { $0 + $1.weight }
            guard total > 0 else { return nil }
            var point = Int.random(in: 0..<total, using: &generator)
            for candidate in candidates {
                if point < candidate.weight { return candidate.queue }
                point -= candidate.weight
            }
            return nil
        }
    }
}
