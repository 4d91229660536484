import ArgumentParser
import SpoolCore

extension SpoolCtl {
    struct Stats: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract:
                "Per queue: tasks by state, the oldest wait, tasks due soon, waits by age, the last hour's finishes.",
            discussion: """
                From names alone, so it answers quickly on any spool. OLDEST is how long the longest-waiting \
                due task has waited for a worker; DUE 1M and DUE 1H count the scheduled tasks due within the \
                next minute and hour; DONE 1H and DEAD 1H the tasks that finished in the last hour (those kept \
                for their queue's retention). The second table is qshape's view: the due tasks by how long \
                they have waited.
                """
        )

        @OptionGroup var global: GlobalOptions

        func run() async throws {
            let stats = try global.open(.readOnly).stats()
            if global.json {
                Output.jsonLine(stats.json)
                return
            }
            let states = TaskState.allCases
            Output.table(
                ["QUEUE"] + states.map { $0.rawValue.uppercased() } + [
                    "OLDEST", "DUE 1M", "DUE 1H", "DONE 1H", "DEAD 1H",
                ],
                stats.queues.map { counts in
                    [counts.queue] + states.map { String(counts[$0]) } + [
                        counts.oldestDue.map { Stats.age(stats.now.milliseconds - $0.milliseconds) } ?? "-",
                        String(counts.dueNextMinute), String(counts.dueNextHour), String(counts.doneLastHour),
                        String(counts.deadLastHour),
                    ]
                }
            )
            if stats.queues.contains(where: { $0[.active] > 0 }) {
                Output.line("")
                Output.table(
                    ["WAITING"] + QueueCounts.waitBuckets.map(\.label),
                    stats.queues.filter { $0[.active] > 0 }.map { [$0.queue] + $0.waiting.map(String.init) }
                )
            }
            Output.line("incoming: \(stats.incoming)  rejected: \(stats.rejected)")
            if !stats.paused.isEmpty { Output.line("paused: \(stats.paused.joined(separator: ", "))") }
        }

        /// A wait of `milliseconds` in its largest unit: 42s, 17m, 5h, 3d.
        static func age(_ milliseconds: Int64) -> String {
            let seconds = max(0, milliseconds) / 1000
            if seconds < 120 { return "\(seconds)s" }
            if seconds < 7200 { return "\(seconds / 60)m" }
            if seconds < 172_800 { return "\(seconds / 3600)h" }
            return "\(seconds / 86400)d"
        }
    }
}
