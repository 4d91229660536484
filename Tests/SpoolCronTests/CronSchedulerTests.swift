import SpoolCore
import SpoolCron
import Testing

/// Which ticks fire when: on time, late, missed under each policy, paused, and tried again after a failure.
struct CronSchedulerTests {
    /// 2026-03-01T10:00:00Z.
    let start = Timestamp(milliseconds: 1_772_359_200_000)

    private func entry(_ spec: String, missed: CronEntry.MissedPolicy = .skip, limit: Int = 100) throws -> CronEntry {
        try CronEntry(
            name: "e",
            spec: spec,
            missed: missed,
            missedLimit: limit,
            task: [JSONMember("type", .string("t"))]
        )
    }

    private func at(_ seconds: Double) -> Timestamp { start.adding(seconds: seconds) }

    /// A scheduler whose entry's last noted tick is `last` (none: it starts at `start`).
    private func scheduler(_ entry: CronEntry, last: Timestamp? = nil, paused: Bool = false) -> CronScheduler {
        var scheduler = CronScheduler()
        let problems = scheduler.update(entries: [entry], paused: paused ? ["e"] : [], now: start) { _ in last }
        #expect(problems.isEmpty)
        return scheduler
    }

    @Test func eachTickFiresOnceAsItComes() throws {
        var scheduler = scheduler(try entry("@every 10s"))
        #expect(scheduler.nextTick == at(10))
        #expect(scheduler.due(now: at(9.999)).isEmpty)
        #expect(scheduler.due(now: at(10)).map(\.ticks) == [[at(10)]])
        #expect(scheduler.due(now: at(10.5)).isEmpty, "not twice")
        #expect(scheduler.nextTick == at(20))
    }

    @Test func aLateTickStillFiresUnderSkip() throws {
        var scheduler = scheduler(try entry("@every 1m"))
        let due = scheduler.due(now: at(60 + 29))
        #expect(due.map(\.ticks) == [[at(60)]])
        #expect(due.first?.skipped == 0)
    }

    @Test func missedTicksAreSkippedUnderSkip() throws {
        // Down from 10:00 to 11:00:05, an entry every 10 minutes: 10:10 … 10:50 missed, 11:00 late.
        var scheduler = scheduler(try entry("*/10 * * * *"), last: start)
        let due = try #require(scheduler.due(now: at(3605)).first)
        #expect(due.ticks == [at(3600)])
        #expect(due.skipped == 5)
    }

    @Test func missedTicksFireOnceUnderOnce() throws {
        var scheduler = scheduler(try entry("*/10 * * * *", missed: .once), last: start)
        let due = try #require(scheduler.due(now: at(3605)).first)
        #expect(due.ticks == [at(3000), at(3600)])
        #expect(due.skipped == 4)
    }

    @Test func missedTicksFireUpToTheLimitUnderAll() throws {
        var scheduler = scheduler(try entry("*/10 * * * *", missed: .all, limit: 3), last: start)
        let due = try #require(scheduler.due(now: at(3605)).first)
        #expect(due.ticks == [at(1800), at(2400), at(3000), at(3600)])
        #expect(due.skipped == 2)
        var unlimited = self.scheduler(try entry("*/10 * * * *", missed: .all), last: start)
        #expect(unlimited.due(now: at(3605)).first?.ticks.count == 6)
    }

    @Test func aWeekDownWithATickEverySecondCostsWhatIsKept() throws {
        var scheduler = scheduler(try entry("@every 1s", missed: .all, limit: 100), last: start)
        let now = at(7 * 86_400)
        let due = try #require(scheduler.due(now: now).first)
        #expect(due.ticks.count == 100 + 31, "100 missed, and the 31 late ones of the last 30 s")
        #expect(due.ticks.last == now)
        #expect(due.skipped == nil, "more than could be counted")
    }

    @Test func aNewEntryDoesNotCatchUp() throws {
        var scheduler = scheduler(try entry("* * * * * *", missed: .all))
        #expect(scheduler.due(now: start).isEmpty)
        #expect(scheduler.due(now: at(1)).map(\.ticks) == [[at(1)]])
    }

    @Test func aPausedEntryFiresNothingAndDoesNotCatchUpWhenResumed() throws {
        let paused = try entry("@every 10s", missed: .all)
        var scheduler = scheduler(paused, paused: true)
        #expect(scheduler.nextTick == nil)
        #expect(scheduler.due(now: at(100)).isEmpty)
        _ = scheduler.update(entries: [paused], paused: [], now: at(100)) { _ in nil }
        #expect(scheduler.due(now: at(105)).isEmpty)
        #expect(scheduler.due(now: at(110)).map(\.ticks) == [[at(110)]])
    }

    @Test func aFailedTickIsOfferedAgain() throws {
        var scheduler = scheduler(try entry("@every 10s"))
        #expect(scheduler.due(now: at(10)).map(\.ticks) == [[at(10)]])
        scheduler.retry("e", tick: at(10))
        #expect(scheduler.nextTick == at(10))
        #expect(scheduler.due(now: at(12)).map(\.ticks) == [[at(10)]])
        // Still failing past the lateness: the tick is missed, and `skip` drops it.
        scheduler.retry("e", tick: at(10))
        let due = try #require(scheduler.due(now: at(45)).first)
        #expect(due.ticks == [at(20), at(30), at(40)])
        #expect(due.skipped == 1)
    }

    @Test func manyEntriesFireEachTickOnceWakingOnlyWhenOneIsDue() throws {
        var entries: [CronEntry] = []
        for index in 0..<300 {
            entries.append(
                try CronEntry(
                    name: "e\(index)",
                    spec: "\(index % 60) */\(index % 3 + 1) * * * *",
                    task: [JSONMember("type", .string("t"))]
                )
            )
        }
        var scheduler = CronScheduler()
        #expect(scheduler.update(entries: entries, paused: ["e7"], now: start) { _ in nil }.isEmpty)
        let schedules = try entries.map { CronSchedule(spec: try CronSpec($0.spec)) }
        var fired: [String: [Timestamp]] = [:]
        var now = start
        var failedOnce = false
        let end = at(600)
        while let wake = scheduler.nextTick, wake <= end {
            // The wake is the earliest tick of any entry not paused, after the last wake.
            let earliest = zip(entries, schedules).filter { $0.0.name != "e7" }
                .compactMap { $0.1.next(after: now) }.min()
            #expect(wake == earliest || failedOnce, "woke at \(wake), not \(String(describing: earliest))")
            failedOnce = false
            now = wake
            for due in scheduler.due(now: now) {
                // One firing fails, once: it is offered again at once.
                if due.entry.name == "e13", fired["e13"] == nil, !failedOnce {
                    scheduler.retry("e13", tick: due.ticks[0])
                    failedOnce = true
                    fired["e13"] = []
                    continue
                }
                fired[due.entry.name, default: []] += due.ticks
            }
        }
        for (entry, schedule) in zip(entries, schedules) {
            let expected = entry.name == "e7" ? [] : schedule.ticks(after: start, count: 100).filter { $0 <= end }
            #expect(fired[entry.name] ?? [] == expected, "\(entry.name)")
        }
    }

    @Test func aChangedSpecTakesEffectFromTheCursor() throws {
        var scheduler = scheduler(try entry("@every 1h"))
        _ = scheduler.update(entries: [try entry("@every 10s")], paused: [], now: at(5)) { _ in nil }
        #expect(scheduler.nextTick == at(10))
    }

    @Test func anEntryWithABadSpecOrZoneIsReportedAndNotScheduled() throws {
        var scheduler = CronScheduler()
        var bad = try entry("61 * * * *")
        var badZone = try entry("@daily")
        badZone.name = "z"
        badZone.timeZone = "Nowhere/Land"
        bad.name = "b"
        let problems = scheduler.update(entries: [bad, badZone], paused: [], now: start) { _ in nil }
        #expect(problems.count == 2)
        #expect(problems.allSatisfy { $0.hasPrefix("cron entry b: ") || $0.hasPrefix("cron entry z: ") })
        #expect(scheduler.entryNames.isEmpty)
    }
}
