import ArgumentParser
import SpoolCore
import SpoolCron

extension SpoolCtl {
    struct Inspect: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "The whole spool on one screen: queues, workers, cron, rejected drops, the latest deaths.",
            discussion: """
                What stats, list --state dead --newest, rejected and cron list say, cut to one screen: where to \
                look next. --json prints it as one object.
                """
        )

        @OptionGroup var global: GlobalOptions

        @Option(help: "Lines of each list (latest deaths, rejected drops, workers), 1-100.")
        var lines = 5

        func validate() throws {
            guard (1...100).contains(lines) else { throw ValidationError("--lines must be 1-100") }
        }

        func run() async throws {
            let spool = try global.open(.readOnly)
            let stats = spool.stats()
            var deathsQuery = TaskQuery()
            deathsQuery.states = [.dead]
            deathsQuery.newestFirst = true
            deathsQuery.limit = lines
            let deaths = spool.query(deathsQuery).tasks.map { ($0, try? spool.record(at: $0)) }
            let workers = spool.runningWorkers()
            let rejected = spool.rejectedFiles(limit: 100_000).files.sorted { $0.changed > $1.changed }
            let cron = spool.cronStatus(configured: CronList.configuredEntries(of: spool), now: stats.now, count: 1)
            let nextFire = cron.entries.filter { !$0.paused }.compactMap { row in row.next.first.map { (row, $0) } }
                .min { $0.1 < $1.1 }
            if global.json {
                Output.jsonLine(
                    .object([
                        JSONMember("spool", .string(spool.root)),
                        JSONMember("stats", stats.json),
                        JSONMember(
                            "workers",
                            .array(
                                workers.map {
                                    .object([
                                        JSONMember("worker", .string($0.worker)),
                                        JSONMember("queue", .string($0.queue)),
                                        JSONMember("tasks", .integer(Int64($0.tasks))),
                                        JSONMember("gone", .bool($0.isGone)),
                                    ])
                                }
                            )
                        ),
                        JSONMember("latest_dead", .array(deaths.map { List.json($0.0, $0.1) })),
                        JSONMember("rejected", .integer(Int64(rejected.count))),
                        JSONMember("cron_entries", .integer(Int64(cron.entries.count))),
                        JSONMember(
                            "next_cron",
                            nextFire.map { .string("\($0.0.entry.name) \($0.1.rfc3339)") } ?? .null
                        ),
                    ])
                )
                return
            }
            let total = stats.queues.reduce(0) { $0 + $1.counts.values.reduce(0, +) }
            Output.line("spool \(spool.root): \(total) tasks in \(stats.queues.count) queues, at \(stats.now.rfc3339)")
            Output.line("")
            Output.table(
                ["QUEUE", "WAITING", "DUE", "RUNNING", "DONE", "DEAD", "OLDEST", "DONE 1H", "DEAD 1H", ""],
                stats.queues.map { counts in
                    [
                        counts.queue, String(counts[.scheduled]), String(counts[.active]), String(counts[.running]),
                        String(counts[.done]), String(counts[.dead]),
                        counts.oldestDue.map { Stats.age(stats.now.milliseconds - $0.milliseconds) } ?? "-",
                        String(counts.doneLastHour), String(counts.deadLastHour),
                        stats.paused.contains(counts.queue) ? "paused" : "",
                    ]
                }
            )
            Output.line("")
            let live = workers.filter { !$0.isGone }
            Output.line(
                "workers: \(Set(live.map(\.worker)).count) holding \(live.reduce(0) { $0 + $1.tasks }) tasks"
                    + (workers.count > live.count ? "; \(workers.count - live.count) gone, leases to return" : "")
            )
            for worker in workers.prefix(lines) {
                Output.line(
                    "  \(worker.worker)  \(worker.queue)  \(worker.tasks) tasks\(worker.isGone ? "  (gone)" : "")"
                )
            }
            Output.line(
                "cron: \(cron.entries.count) entries"
                    + (nextFire.map { ", next \($0.0.entry.name) at \($0.1.rfc3339)" } ?? "")
            )
            Output.line("incoming: \(stats.incoming) drops waiting; rejected: \(rejected.count)")
            for file in rejected.prefix(lines) {
                Output.line("  \(file.changed.rfc3339)  \(file.name)  \(List.oneLine(file.reason ?? "-", longest: 80))")
            }
            if !deaths.isEmpty {
                Output.line("latest deaths:")
                for (location, record) in deaths {
                    let reason = record?.stateReason ?? record?.attempts.last?.error ?? "-"
                    let when = record?.finishedAt?.rfc3339 ?? "-"
                    Output.line("  \(when)  \(location.queue)  \(location.id)  \(List.oneLine(reason, longest: 80))")
                }
            }
        }
    }
}
