import SpoolCore
import SpoolSystem
import SpoolTestSupport

#if canImport(Glibc)
@preconcurrency import Glibc
#elseif canImport(Musl)
@preconcurrency import Musl
#endif

/// One round of the kill tests: daemons on a fresh spool under mixed load, killed at random moments and
/// started again, cycle after cycle; then the faults stop, the queue drains, the daemons stop, and the
/// invariants are checked.
struct KillRound {
    let spool: KillSpool
    let layout: DaemonLayout
    private(set) var daemons: KillDaemons
    private(set) var log = OperationLog()
    /// What this round did, for the summary.
    private(set) var tally = KillTally()
    /// Things that went wrong in the harness itself (a producer that failed for no fault of ours).
    private(set) var problems: [String] = []
    private var random: SplitMix64
    private let library: Spool
    private let label: String
    private var sequence = 0
    private var givenLibraryIDs: [String] = []

    /// Sets up the round's spool and starts its daemons.
    init(_ label: String, layout: DaemonLayout, seed: UInt64, escaping: Bool = false) throws {
        self.label = label
        self.layout = layout
        spool = try KillSpool(label, escaping: escaping)
        random = SplitMix64(seed: seed)
        library = try Spool(root: spool.root)
        daemons = try KillDaemons(spool, layout: layout)
        tally.rounds = 1
    }

    // MARK: - Cycles

    /// One kill cycle: producers start (some to be killed mid-way), the daemons work a random while, one
    /// fault hits them, the killed daemons start again, and the attempt counts are observed.
    mutating func cycle() async throws {
        var children: [(child: KillChild, tag: String, id: String?, started: Timestamp, killAfter: Int?)] = []
        for _ in 0..<random.int(1...2) {
            let (child, tag, id) = try startSpoolctl()
            let killAfter = random.chance(0.4) ? random.int(0...120) : nil
            children.append((child, tag, id, SystemClock().now, killAfter))
        }
        for _ in 0..<random.int(1...3) { enqueueFromLibrary() }
        for _ in 0..<random.int(1...2) { try drop() }
        if random.chance(0.3) { try badDrop() }
        for entry in children.sorted(by: { ($0.killAfter ?? 0) < ($1.killAfter ?? 0) }) {
            guard let killAfter = entry.killAfter else { continue }
            let wait = entry.started.milliseconds + Int64(killAfter) - SystemClock().now.milliseconds
            if wait > 0 { try await Task.sleep(for: .milliseconds(wait)) }
            entry.child.process.send(SIGKILL)
        }
        try await Task.sleep(for: .milliseconds(random.int(50...600)))
        try await fault()
        for entry in children {
            let (exit, output, error) = await entry.child.finish()
            let printed = output.split(separator: "\n").first.map(String.init)
            switch exit {
            case .exited(0) where printed != nil && (entry.id == nil || printed == entry.id):
                log.acknowledge(tag: entry.tag, id: printed, by: .spoolctl)
            case .signaled(SIGKILL):
                tally.kills["spoolctl enqueue", default: 0] += 1
                log.maybe(tag: entry.tag, id: entry.id, by: .spoolctl)
            default:
                problems.append("spoolctl enqueue \(entry.tag) \(exit), printed \"\(output)\": \(error)")
                log.maybe(tag: entry.tag, id: entry.id, by: .spoolctl)
            }
        }
        log.observe(attempts: AttemptCensus.read(root: spool.root))
        tally.cycles += 1
    }

    /// One fault: `SIGKILL` to one daemon (or two, in the split layout) then a restart, or `SIGSTOP` for
    /// longer than a lease, so that the lease expires, then `SIGCONT` or `SIGKILL`.
    private mutating func fault() async throws {
        let count = daemons.modes.count
        if random.chance(0.15) {
            // In the split layout only workers are stopped: the others' janitors return their leases.
            let index = count == 1 ? 0 : random.int(1...(count - 1))
            daemons.pause(index)
            tally.kills["SIGSTOP spoold --mode \(daemons.modes[index])", default: 0] += 1
            try await Task.sleep(for: .milliseconds(count == 1 ? 1300 : 1800))
            if random.chance(0.5) {
                daemons.resume(index)
            } else {
                try await kill([index])
            }
            return
        }
        var victims = [random.int(0...(count - 1))]
        if count > 1, random.chance(0.1) { victims.append((victims[0] + random.int(1...(count - 1))) % count) }
        try await kill(victims)
    }

    private mutating func kill(_ victims: [Int]) async throws {
        for index in victims {
            await daemons.kill(index)
            tally.kills["spoold --mode \(daemons.modes[index])", default: 0] += 1
        }
        try await Task.sleep(for: .milliseconds(random.int(0...150)))
        for index in victims { try daemons.restart(index) }
    }

    // MARK: - Producers

    /// A new tag, unique in the round; given ids are tags.
    private mutating func nextTag(_ kind: String) -> String {
        sequence += 1
        return "\(kind)-\(label.prefix(8))-\(sequence)"
    }

    /// A random task type: mostly quick successes, some slow, some retried, a few dying.
    private mutating func randomType() -> String {
        let roll = random.int(0...99)
        let sleep = roll < 30 ? 0 : roll < 70 ? random.double(0.02...0.3) : random.double(0.3...1.0)
        let behaviour: String
        switch random.int(0...99) {
        case 0..<55: behaviour = "ok"
        case 55..<65: behaviour = "result"
        case 65..<75: behaviour = "retry1"
        case 75..<80: behaviour = "retry2"
        case 80..<90: behaviour = "fail1"
        case 90..<95: behaviour = "die"
        default: behaviour = "ok"
        }
        return KillSpool.taskType(sleep: sleep, behaviour)
    }

    private mutating func randomQueue() -> String { random.chance(0.7) ? "kq" : "kr" }
    private mutating func randomDelay() -> Double? { random.chance(0.15) ? random.double(1...2) : nil }

    /// `spoolctl enqueue`, with a given id half of the time.
    private mutating func startSpoolctl() throws -> (KillChild, String, String?) {
        let tag = nextTag("ctl")
        let id = random.chance(0.5) ? tag : nil
        var arguments = ["--spool", spool.root, "enqueue", "--queue", randomQueue(), "--type", randomType()]
        arguments += ["--payload", "{\"tag\":\"\(tag)\"}"]
        if let id { arguments += ["--id", id] }
        if let delay = randomDelay() { arguments += ["--delay", "\(delay)"] }
        return (try KillChild("spoolctl", arguments), tag, id)
    }

    /// `Spool.enqueue` in this process, logged once it returns.
    private mutating func enqueueFromLibrary() {
        let tag = nextTag("lib")
        let id = random.chance(0.5) ? tag : nil
        let task = NewTask(
            id: id,
            queue: randomQueue(),
            type: randomType(),
            payload: OperationLog.payload(tag: tag),
            delay: randomDelay()
        )
        do {
            let returned = try library.enqueue(task)
            log.acknowledge(tag: tag, id: returned, by: .library)
            if id != nil { givenLibraryIDs.append(returned) }
        } catch {
            problems.append("library enqueue \(tag) failed: \(error)")
        }
    }

    /// A drop by the rules of FORMAT.md section 7: written under a hidden name, then renamed into
    /// `incoming/`; with an id half of the time.
    private mutating func drop() throws {
        let tag = nextTag("drop")
        let id = random.chance(0.5) ? tag : nil
        var fields = [
            "\"type\":\"\(randomType())\"", "\"queue\":\"\(randomQueue())\"", "\"payload\":{\"tag\":\"\(tag)\"}",
        ]
        if let id { fields.insert("\"id\":\"\(id)\"", at: 0) }
        if let delay = randomDelay() { fields.append("\"delay\":\(delay)") }
        try place("{" + fields.joined(separator: ",") + "}\n", as: "\(tag).json")
        log.acknowledge(tag: tag, id: id, by: .drop)
    }

    /// A drop that is not a valid task: bad JSON, not an object, a bad field, or an id in use.
    private mutating func badDrop() throws {
        let tag = nextTag("bad")
        let content: String
        switch random.int(0...3) {
        case 0: content = "{\"type\":\"kt/0/ok\",\"payload\":{\"tag\":\"\(tag)\""
        case 1: content = "[\"\(tag)\"]\n"
        case 2: content = "{\"type\":\"kt/0/ok\",\"queue\":\"Not A Queue\",\"payload\":{\"tag\":\"\(tag)\"}}\n"
        default:
            let taken = givenLibraryIDs.isEmpty ? nil : givenLibraryIDs[random.int(0...(givenLibraryIDs.count - 1))]
            content = "{\"id\":\"\(taken ?? "")\",\"type\":\"kt/0/ok\",\"payload\":{\"tag\":\"\(tag)\"}}\n"
        }
        try place(content, as: "\(tag).json")
        log.badDrop(name: "\(tag).json", bytes: Array(content.utf8))
    }

    private func place(_ content: String, as name: String) throws {
        let hidden = "\(spool.root)/\(SpoolLayout.incoming)/.\(name).part"
        try SpoolFiles.write(content, to: hidden)
        try SpoolFiles.rename(hidden, to: "\(spool.root)/\(SpoolLayout.incoming)/\(name)")
    }

    // MARK: - End

    /// Kills the daemons after a failure of the harness, leaving the round's folder for a look.
    mutating func abandon() async {
        await daemons.killAll()
    }

    /// Stops the faults: waits for the queue to drain (I9), measures the daemons' CPU time over an idle
    /// second (I9), stops them with `SIGTERM`, and checks every other invariant.
    mutating func finish(drainWithin seconds: Double = 60) async -> InvariantReport {
        let invariants = SpoolInvariants(root: spool.root)
        let (took, drainViolation) = await invariants.waitForDrain(within: seconds)
        let idle = await SpoolInvariants.checkIdle(pids: daemons.pids)
        problems += await daemons.terminateAll()
        var report = invariants.check(log: log, runs: HandlerRunLog(path: spool.runLog))
        report.violations += (drainViolation.map { [$0] } ?? []) + idle.violations
        tally.longestDrain = took
        tally.mostIdleTicks = idle.ticks.values.max() ?? 0
        tally.add(report, log: log)
        return report
    }
}
