import SpoolCore
import SpoolCron
import SpoolTestSupport
import Testing

/// Cron entries kept in the spool, and the firing of a tick, on a real spool.
struct SpoolCronTests {
    private func entry(_ name: String = "nightly", spec: String = "0 3 * * *") throws -> CronEntry {
        try CronEntry(
            name: name,
            spec: spec,
            timeZone: "Europe/Berlin",
            missed: .once,
            task: [JSONMember("type", .string("report.build")), JSONMember("queue", .string("reports"))]
        )
    }

    @Test func aTickFiresOnceHoweverOftenItIsFired() throws {
        try TemporarySpool.with { directory in
            let clock = ManualClock()
            let spool = try directory.open(clock: clock)
            let tick = clock.now
            #expect(try spool.fireCron(entry(), at: tick) == .fired(id: "cron-nightly-\(tick.milliseconds)"))
            #expect(try spool.fireCron(entry(), at: tick) == .alreadyFired(id: "cron-nightly-\(tick.milliseconds)"))
            let location = try #require(spool.find(id: "cron-nightly-\(tick.milliseconds)"))
            #expect(location.state == .active && location.queue == "reports")
            let record = try spool.record(at: location)
            #expect(record.type == "report.build" && record.runAt == tick)
            #expect(record.extra.contains(JSONMember("cron", .string("nightly"))))
            #expect(spool.lastCronTick(of: "nightly") == tick)
            // Still refused once the task has run and finished.
            let name = try #require(try spool.oldestActive(queue: "reports", limit: 1).names.first)
            try spool.complete(#require(try spool.claim(name, queue: "reports")))
            #expect(try spool.fireCron(entry(), at: tick) == .alreadyFired(id: "cron-nightly-\(tick.milliseconds)"))
        }
    }

    @Test func aBatchOfTicksLeavesOutThoseFiredAlready() throws {
        try TemporarySpool.with { directory in
            let clock = ManualClock()
            let spool = try directory.open(clock: clock)
            let ticks = (1...3).map { clock.now.adding(seconds: Double(-$0)) }
            #expect(try spool.fireCron(entry(), at: ticks[1]) == .fired(id: "cron-nightly-\(ticks[1].milliseconds)"))
            let fires = try spool.fireCron(ticks.map { (try entry(), $0) })
            #expect(
                fires == [
                    .fired(id: "cron-nightly-\(ticks[0].milliseconds)"),
                    .alreadyFired(id: "cron-nightly-\(ticks[1].milliseconds)"),
                    .fired(id: "cron-nightly-\(ticks[2].milliseconds)"),
                ]
            )
            #expect(spool.lastCronTick(of: "nightly") == ticks[0])
            #expect(
                SpoolFiles.names("\(directory.path)/tmp").isEmpty,
                "the staged copy of the tick fired already is gone"
            )
            #expect(SpoolFiles.names("\(directory.path)/active/reports").count == 3)
        }
    }

    @Test func theLastNotedTickOnlyMovesForward() throws {
        try TemporarySpool.with { directory in
            let spool = try directory.open()
            let early = Timestamp(milliseconds: 1_000_000)
            let late = Timestamp(milliseconds: 2_000_000)
            spool.noteCronTick(late, of: "e")
            spool.noteCronTick(early, of: "e")
            #expect(spool.lastCronTick(of: "e") == late)
            #expect(SpoolFiles.names("\(directory.path)/tmp").isEmpty)
        }
    }

    @Test func entriesAreStoredListedPausedAndRemoved() throws {
        try TemporarySpool.with { directory in
            let spool = try directory.open()
            try spool.addCronEntry(entry())
            #expect(throws: SpoolError.self) { try spool.addCronEntry(entry()) }
            var changed = try entry()
            changed.spec = "@hourly"
            try spool.addCronEntry(changed, replacing: true)
            #expect(spool.storedCronEntries().entries == [changed])
            let before = spool.cronChangeStamp()
            try spool.pauseCron("nightly")
            #expect(spool.pausedCronEntries() == ["nightly"])
            try spool.resumeCron("nightly")
            try spool.resumeCron("nightly")
            #expect(spool.pausedCronEntries().isEmpty)
            #expect(spool.cronChangeStamp() != before)
            try spool.removeCronEntry(named: "nightly")
            #expect(spool.storedCronEntries().entries.isEmpty)
            #expect {
                try spool.removeCronEntry(named: "nightly")
            } throws: { ($0 as? SpoolError)?.code == .notFound }
        }
    }

    @Test func badEntriesAreRefusedWithTheReason() throws {
        try TemporarySpool.with { directory in
            let spool = try directory.open()
            let type = [JSONMember("type", .string("t"))]
            let cases: [(() throws -> CronEntry, String)] = [
                ({ try CronEntry(name: "a b", spec: "@daily", task: type) }, "must match"),
                ({ try CronEntry(name: String(repeating: "x", count: 46), spec: "@daily", task: type) }, "must match"),
                ({ try CronEntry(name: "e", spec: "@daily", task: []) }, "task: type: required"),
                (
                    { try CronEntry(name: "e", spec: "@daily", task: type + [JSONMember("id", .string("x"))]) },
                    "id is set"
                ),
                (
                    { try CronEntry(name: "e", spec: "@daily", task: type + [JSONMember("queue", .string("Q"))]) },
                    "queue"
                ),
                ({ try CronEntry(name: "e", spec: "@daily", missedLimit: 0, task: type) }, "missed_limit"),
                ({ try CronEntry(name: "e", spec: "", task: type) }, "spec"),
            ]
            for (make, message) in cases {
                #expect {
                    _ = try make()
                } throws: { error in
                    (error as? SpoolError)?.code == .invalidArgument && "\(error)".contains(message)
                }
            }
            for (spec, zone) in [("61 * * * *", "UTC"), ("@daily", "Mars/Base")] {
                let entry = try CronEntry(name: "e", spec: spec, timeZone: zone, task: type)
                #expect(throws: SpoolError.self) { try spool.addCronEntry(entry) }
            }
            #expect(spool.storedCronEntries().entries.isEmpty)
        }
    }

    @Test func aDamagedEntryFileIsReportedNotFatal() throws {
        try TemporarySpool.with { directory in
            let spool = try directory.open()
            try spool.addCronEntry(entry())
            try SpoolFiles.write("{not json", to: "\(directory.path)/cron/entries/broken.json")
            try SpoolFiles.write(
                String(decoding: JSONWriter.encode(try entry("other").json), as: UTF8.self),
                to: "\(directory.path)/cron/entries/renamed.json"
            )
            let (entries, problems) = spool.storedCronEntries()
            #expect(entries.map(\.name) == ["nightly"])
            #expect(problems.count == 2)
            #expect(problems.contains { $0.hasPrefix("cron/entries/broken.json: ") })
            #expect(problems.contains { $0.contains("holds entry other") })
        }
    }
}
