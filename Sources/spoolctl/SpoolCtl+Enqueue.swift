import ArgumentParser
import SpoolCore

extension SpoolCtl {
    struct Enqueue: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Add a task, or many from a file (chains and groups too); prints each id.",
            discussion: """
                Durable when it returns: the file and its folder are flushed. With --file, the tasks are JSON \
                objects in the task-file format (docs/FORMAT.md, as dropped in incoming/): one object (which may \
                span lines), or JSON Lines, one task per line, enqueued in batches of 1,000 with one flush each. \
                A line that is not a valid task stops the run with its line number (exit status 65); the \
                batches before it stay enqueued and their ids are printed. A workflow is a document too: a \
                chain, {"chain": [task, task, ...]}, is enqueued as its first task (its id is printed; \
                `chain show ID` lists the steps), and a group, {"group": [task, ...], "callback": task}, on \
                its own: its id is printed, with --json its receipt {id, members, callback}.
                """
        )

        @OptionGroup var global: GlobalOptions

        @Option(help: "Queue name, [a-z0-9_-]{1,64}.")
        var queue = "default"

        @Option(help: "Handler name (required unless --file is given).")
        var type: String?

        @Option(help: "Read the tasks from this file (`-`: standard input): one JSON object, or JSON Lines.")
        var file: String?

        @Option(help: "Payload, as JSON.")
        var payload = "null"

        @Option(help: "Seconds from now until the task is due.")
        var delay: Double?

        @Option(help: "When the task is due: an RFC 3339 time (2026-01-31T09:30:00Z) or Unix seconds.")
        var at: String?

        @Option(help: "Task id, [A-Za-z0-9_-]{1,64} (default: a new ULID). Must not be in use.")
        var id: String?

        @Option(help: "Attempts in all before the task goes to dead/.")
        var maxAttempts: Int?

        @Option(help: "Retry delays in seconds, comma-separated (the last repeats), e.g. 5,15,30,180.")
        var backoff: String?

        @Option(help: "Seconds one attempt may run.")
        var timeout: Double?

        @Option(help: "Give up after this time (RFC 3339 or Unix seconds).")
        var deadline: String?

        @Option(help: "Delete the task at this time, whatever its state (RFC 3339 or Unix seconds).")
        var deleteAt: String?

        @Option(help: "Seconds to keep the task once finished.")
        var retention: Double?

        @Option(help: "A business key (an order number, say) to find the task by: list --key, show --key.")
        var key: String?

        @Option(help: "A key no other waiting or running task of the queue may hold; a second task with it is refused.")
        var uniqueKey: String?

        @Option(help: "Seconds from now the unique key stays held, even after the task finished.")
        var uniqueFor: Double?

        @Option(
            help: """
                The W3C trace context the task's spans join, 00-<trace id>-<span id>-<flags> (default: \
                $TRACEPARENT, as an exec handler's command is given it).
                """
        )
        var traceparent: String?

        @Option(help: "The W3C tracestate that goes with --traceparent (default: $TRACESTATE with $TRACEPARENT).")
        var tracestate: String?

        func validate() throws {
            if delay != nil && at != nil { throw ValidationError("--delay and --at cannot be combined") }
            if file != nil {
                let flags: [Any?] = [
                    type, delay, at, id, maxAttempts, backoff, timeout, deadline, deleteAt, retention, key, uniqueKey,
                    uniqueFor, traceparent, tracestate,
                ]
                if flags.contains(where: { $0 != nil }) || queue != "default" || payload != "null" {
                    throw ValidationError("--file takes the tasks whole: give no other task option with it")
                }
            } else if type == nil {
                throw ValidationError("give --type, or --file with the tasks")
            }
            if tracestate != nil, traceparent == nil { throw ValidationError("--tracestate needs --traceparent") }
        }

        /// The task's trace: the options, else the environment's, as OpenTelemetry's environment carrier
        /// names them; none when neither gives a `traceparent`.
        func trace() throws -> TaskTrace? {
            let given = traceparent.map { ($0, tracestate, "--traceparent", "--tracestate") }
            let inherited = Environment.value("TRACEPARENT").map {
                ($0, Environment.value("TRACESTATE"), "$TRACEPARENT", "$TRACESTATE")
            }
            guard let (parent, state, parentName, stateName) = given ?? inherited else { return nil }
            do {
                return try TaskTrace(traceparent: parent, tracestate: state.flatMap { $0.isEmpty ? nil : $0 })
            } catch {
                let name = error.reason.hasPrefix("tracestate") ? stateName : parentName
                throw ValidationError("\(name): \(error.reason.drop { $0 != " " }.dropFirst())")
            }
        }

        func run() async throws {
            if let file {
                try enqueueFile(file, into: global.open(.existing), json: global.json)
                return
            }
            let payloadValue: JSONValue
            do {
                payloadValue = try JSONParser.parse(Array(payload.utf8))
            } catch {
                throw ValidationError("--payload is not valid JSON: \(error)")
            }
            var task = NewTask(
                id: id,
                queue: queue,
                type: type ?? "",
                payload: payloadValue,
                delay: delay,
                maxAttempts: maxAttempts,
                timeout: timeout,
                retention: retention,
                key: key,
                uniqueKey: uniqueKey,
                uniqueFor: uniqueFor,
                trace: try trace()
            )
            if let at { task.runAt = try parseTime(at, option: "--at") }
            if let deadline { task.deadline = try parseTime(deadline, option: "--deadline") }
            if let deleteAt { task.deleteAt = try parseTime(deleteAt, option: "--delete-at") }
            if let backoff {
                let delays = backoff.split(separator: ",").map { Double(String($0.filter { $0 != " " })) }
                guard !delays.isEmpty, delays.allSatisfy({ $0 != nil }) else {
                    throw ValidationError("--backoff must be seconds separated by commas, e.g. 5,15,30")
                }
                task.backoff = .table(delays.compactMap { $0 })
            }
            let id = try global.open(.existing).enqueue(task)
            if global.json {
                Output.jsonLine(.object([JSONMember("id", .string(id))]))
            } else {
                Output.line(id)
            }
        }
    }
}

/// Parses an RFC 3339 time or Unix seconds.
func parseTime(_ text: String, option: String) throws -> Timestamp {
    if let time = Timestamp(rfc3339: text) { return time }
    if let seconds = Double(text), seconds >= 0 { return Timestamp(seconds: seconds) }
    throw ValidationError("\(option) must be an RFC 3339 time such as 2026-01-31T09:30:00Z, or Unix seconds")
}
