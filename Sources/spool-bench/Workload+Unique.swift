import SpoolCore

extension BenchRun {
    /// UNIQUE: the cost of a unique key at enqueue. One call per task at the default durability, in
    /// alternating rounds of 1,000 (so that the machine's drift touches every kind alike): plain tasks with
    /// generated ids, tasks each with its own unique key, and tasks with given ids (reserved in `ids/`,
    /// the nearest cost). Each kind on its own spool.
    func measureUniqueKeys() async throws -> [BenchResult] {
        try await settleDown()
        let rounds = quick ? 3 : 10
        let perRound = 1_000
        let kinds = ["plain", "unique-key", "given-id"]
        var spools: [Spool] = []
        for kind in kinds { spools.append(try freshSpool("unique-\(kind)")) }
        var seconds = Array(repeating: 0.0, count: kinds.count)
        for round in 0..<rounds {
            for (index, kind) in kinds.enumerated() {
                let start = BenchClock.microseconds()
                for n in 0..<perRound {
                    let serial = round * perRound + n
                    var task = NewTask(type: "noop", payload: payload(serial))
                    switch kind {
                    case "unique-key": task.uniqueKey = "order-\(serial):paid"
                    case "given-id": task.id = "order-\(serial)"
                    default: break
                    }
                    try spools[index].enqueue(task)
                }
                seconds[index] += BenchClock.seconds(since: start)
            }
        }
        let count = rounds * perRound
        return kinds.enumerated().map { index, kind in
            let rate = Double(count) / seconds[index]
            return BenchResult(
                workload: "UNIQUE",
                setting: kind,
                summary: Figure.rate(rate)
                    + (index == 0 ? "" : ", \(Int((seconds[index] / seconds[0] * 100).rounded()))% of plain's time"),
                [
                    ("n", .integer(count)), ("elapsed_s", .rounded(seconds[index], 3)), ("per_s", .rounded(rate)),
                    ("time_vs_plain", .rounded(seconds[index] / seconds[0], 3)),
                    ("note", .string("one call per task, durability enqueue, rounds of 1,000 alternating kinds")),
                ]
            )
        }
    }
}
