import SpoolCore

extension BenchRun {
    /// WORKFLOW: what workflows add to a task, in this process, at durabilities `enqueue` (the default) and
    /// `none` (the cost without flushes). Tasks are drained as a worker drains them, claim then complete
    /// with a result, without a handler.
    ///
    /// - Chain step: alternating rounds of 1,000 tasks (so that the machine's drift touches each kind
    ///   alike), each enqueued by one call, then the round drained: plain tasks, and tasks with one
    ///   `on_success` step, whose completion also enqueues the step (into another queue, left waiting).
    /// - Chord: alternating groups of 1,000 members with a callback, enqueued by one call and drained, and
    ///   batches of 1,000 plain tasks enqueued by one call and drained; and the time from the start of the
    ///   last member's `complete` until its callback is claimed (it is placed within that `complete`).
    ///
    /// Each kind and durability on its own spool.
    func measureWorkflow() async throws -> [BenchResult] {
        try await settleDown()
        var results: [BenchResult] = []
        for durability in [Durability.enqueue, .none] {
            results += try measureChainSteps(durability: durability)
            results += try measureChords(durability: durability)
        }
        return results
    }

    /// The chain-step rows of WORKFLOW at `durability`.
    private func measureChainSteps(durability: Durability) throws -> [BenchResult] {
        let rounds = quick ? 2 : 5
        let perRound = 1_000
        let kinds = ["plain", "chain"]
        var spools: [Spool] = []
        for kind in kinds { spools.append(try freshSpool("workflow-\(kind)-\(durability)", durability: durability)) }
        var enqueueSeconds = Array(repeating: 0.0, count: kinds.count)
        var drainSeconds = Array(repeating: 0.0, count: kinds.count)
        for round in 0..<rounds {
            for (index, kind) in kinds.enumerated() {
                var start = BenchClock.microseconds()
                for n in 0..<perRound {
                    var task = NewTask(type: "noop", payload: payload(round * perRound + n))
                    if kind == "chain" { task.onSuccess = [NewTask(queue: "next", type: "noop")] }
                    try spools[index].enqueue(task)
                }
                enqueueSeconds[index] += BenchClock.seconds(since: start)
                start = BenchClock.microseconds()
                try drain(perRound, from: spools[index])
                drainSeconds[index] += BenchClock.seconds(since: start)
            }
        }
        let count = rounds * perRound
        guard entryCount(spools[1], folder: "active/next") == count else {
            throw BenchError(
                "WORKFLOW: \(entryCount(spools[1], folder: "active/next")) chain steps enqueued, not \(count)"
            )
        }
        let plainMicroseconds = (enqueueSeconds[0] + drainSeconds[0]) / Double(count) * 1_000_000
        return kinds.indices.map { index in
            let microseconds = (enqueueSeconds[index] + drainSeconds[index]) / Double(count) * 1_000_000
            let summary =
                "\(Figure.grouped(microseconds)) µs a task (enqueue \(Figure.grouped(enqueueSeconds[index] / Double(count) * 1_000_000)) µs, "
                + "claim + complete \(Figure.grouped(drainSeconds[index] / Double(count) * 1_000_000)) µs)"
                + (index == 0 ? "" : "; the step adds \(Figure.grouped(microseconds - plainMicroseconds)) µs")
            return BenchResult(
                workload: "WORKFLOW",
                setting: "\(kinds[index]) \(durability)",
                summary: summary,
                [
                    ("n", .integer(count)), ("durability", .string("\(durability)")),
                    ("enqueue_s", .rounded(enqueueSeconds[index], 3)), ("drain_s", .rounded(drainSeconds[index], 3)),
                    ("us_per_task", .rounded(microseconds, 1)),
                    ("us_vs_plain", .rounded(microseconds - plainMicroseconds, 1)),
                    (
                        "note",
                        .string(
                            "one enqueue call per task, then claim + complete with a result; chain: one on_success step, enqueued by the complete"
                        )
                    ),
                ]
            )
        }
    }

    /// The chord rows of WORKFLOW at `durability`.
    private func measureChords(durability: Durability) throws -> [BenchResult] {
        let rounds = quick ? 2 : 5
        let members = 1_000
        let chords = try freshSpool("workflow-chord-\(durability)", durability: durability)
        let plain = try freshSpool("workflow-batch-\(durability)", durability: durability)
        var seconds = (chordEnqueue: 0.0, chordDrain: 0.0, plainEnqueue: 0.0, plainDrain: 0.0)
        var lastCompletions: [Double] = []
        var callbackLatencies: [Double] = []
        for round in 0..<rounds {
            let tasks = tasks(round * members..<(round + 1) * members)
            var start = BenchClock.microseconds()
            let receipt = try chords.enqueue(
                group: NewGroup(members: tasks, callback: [NewTask(queue: "callbacks", type: "sum")])
            )
            seconds.chordEnqueue += BenchClock.seconds(since: start)
            start = BenchClock.microseconds()
            try drain(members - 1, from: chords)
            seconds.chordDrain += BenchClock.seconds(since: start)
            // The last member: its completion records its result, finds the group complete and enqueues the
            // callback, which is then claimed as a worker would.
            let lastStart = BenchClock.microseconds()
            guard let last = try claimOne(from: chords) else {
                throw BenchError("WORKFLOW: the last member is missing")
            }
            let completeStart = BenchClock.microseconds()
            try chords.complete(last, result: .integer(members))
            let completed = BenchClock.microseconds()
            guard let callback = try claimOne(from: chords, queue: "callbacks"),
                callback.record.id == receipt.callback[0]
            else { throw BenchError("WORKFLOW: the callback is not claimable after the last member's completion") }
            let claimed = BenchClock.microseconds()
            seconds.chordDrain += Double(completed - lastStart) / 1_000_000
            lastCompletions.append(Double(completed - completeStart) / 1000)
            callbackLatencies.append(Double(claimed - completeStart) / 1000)
            guard callback.record.payload.arrayValue?.count == members else {
                throw BenchError("WORKFLOW: the callback has not every member's result")
            }
            try chords.complete(callback)
            start = BenchClock.microseconds()
            try plain.enqueue(contentsOf: tasks)
            seconds.plainEnqueue += BenchClock.seconds(since: start)
            start = BenchClock.microseconds()
            try drain(members, from: plain)
            seconds.plainDrain += BenchClock.seconds(since: start)
        }
        let count = Double(rounds * members)
        let perMember = (
            enqueue: seconds.chordEnqueue / count * 1_000_000, drain: seconds.chordDrain / count * 1_000_000
        )
        let perPlain = (
            enqueue: seconds.plainEnqueue / count * 1_000_000, drain: seconds.plainDrain / count * 1_000_000
        )
        let latency = Percentiles(callbackLatencies)
        let completion = Percentiles(lastCompletions)
        let note =
            "groups of \(members) members with a callback, enqueued by one call, drained by claim + complete with a result"
        return [
            BenchResult(
                workload: "WORKFLOW",
                setting: "chord member \(durability)",
                summary: "\(Figure.grouped(perMember.enqueue + perMember.drain)) µs a member (enqueue "
                    + "\(Figure.grouped(perMember.enqueue)) µs, claim + complete \(Figure.grouped(perMember.drain)) µs)",
                [
                    ("n", .integer(rounds * members)), ("durability", .string("\(durability)")),
                    ("us_enqueue", .rounded(perMember.enqueue, 1)), ("us_drain", .rounded(perMember.drain, 1)),
                    ("note", .string(note)),
                ]
            ),
            BenchResult(
                workload: "WORKFLOW",
                setting: "batch plain \(durability)",
                summary: "\(Figure.grouped(perPlain.enqueue + perPlain.drain)) µs a task (enqueue "
                    + "\(Figure.grouped(perPlain.enqueue)) µs, claim + complete \(Figure.grouped(perPlain.drain)) µs)",
                [
                    ("n", .integer(rounds * members)), ("durability", .string("\(durability)")),
                    ("us_enqueue", .rounded(perPlain.enqueue, 1)), ("us_drain", .rounded(perPlain.drain, 1)),
                    ("note", .string("batches of \(members) plain tasks, enqueued by one call, drained alike")),
                ]
            ),
            BenchResult(
                workload: "WORKFLOW",
                setting: "chord callback \(durability)",
                summary: "last member's complete to callback claimed: p50 \(Figure.milliseconds(latency.at(0.5))), "
                    + "max \(Figure.milliseconds(latency.maximum)) (the complete itself p50 "
                    + "\(Figure.milliseconds(completion.at(0.5))))",
                [
                    ("groups", .integer(rounds)), ("members", .integer(members)),
                    ("durability", .string("\(durability)")),
                    ("callback_ms_p50", .rounded(latency.at(0.5), 3)),
                    ("callback_ms_max", .rounded(latency.maximum, 3)),
                    ("last_complete_ms_p50", .rounded(completion.at(0.5), 3)),
                    (
                        "note",
                        .string("from the start of the last member's complete to the callback claimed, one process")
                    ),
                ]
            ),
        ]
    }

    /// Claims and completes `count` tasks of queue `default`, each with a result, as a worker does.
    private func drain(_ count: Int, from spool: Spool) throws {
        var drained = 0
        while drained < count {
            let names = try spool.oldestActive(queue: "default", limit: min(100, count - drained)).names
            guard !names.isEmpty else { throw BenchError("WORKFLOW: \(count - drained) tasks missing") }
            for name in names {
                guard let task = try spool.claim(name, queue: "default") else { continue }
                try spool.complete(task, result: .integer(drained))
                drained += 1
            }
        }
    }

    /// Claims the oldest task of `queue`, if there is one.
    private func claimOne(from spool: Spool, queue: String = "default") throws -> ClaimedTask? {
        for name in try spool.oldestActive(queue: queue, limit: 1).names {
            if let task = try spool.claim(name, queue: queue) { return task }
        }
        return nil
    }

    /// The number of names in `folder` of the spool.
    private func entryCount(_ spool: Spool, folder: String) -> Int {
        spool.entryNames(in: folder).count
    }
}
