import SpoolCore
import SpoolSystem
import SpoolTestSupport

#if canImport(Glibc)
@preconcurrency import Glibc
#elseif canImport(Musl)
@preconcurrency import Musl
#endif

/// The folder of one round of the kill tests: the spool, the exec handler script the daemons run, the run
/// log the script appends to, and the logs of every `spoold` that ran.
///
/// ```text
/// <folder>/spool/           the spool, with its spool.yaml
/// <folder>/handler.sh       the exec handler
/// <folder>/runs.log         one start line and one end line per run of the handler
/// <folder>/daemons.log      standard error of every spoold, appended as each one ends
/// ```
struct KillSpool: Sendable {
    /// The queues tasks go to, both served by the handler.
    static let queues = ["kq", "kr"]
    /// The handler's command name as `/proc/<pid>/stat` shows it, for ``OrphanReaper``.
    static let handlerCommands: Set<String> = ["handler.sh", "sleep", "date", "setsid"]

    let folder: String
    var root: String { "\(folder)/spool" }
    var runLog: String { "\(folder)/runs.log" }
    var daemonLog: String { "\(folder)/daemons.log" }
    var script: String { "\(folder)/handler.sh" }

    /// Creates the round's folder with its spool, configuration and handler.
    ///
    /// - Parameter escaping: A deliberately broken handler: the end line of each run is written by a process
    ///   it starts in a session of its own (`setsid`), which the janitor's process group kill misses.
    init(_ label: String, escaping: Bool = false) throws {
        folder = TemporarySpool(label).path
        try SpoolFiles.makeDirectory(root)
        try SpoolFiles.write(KillSpool.handlerScript, to: script)
        chmod(script, 0o755)
        try SpoolFiles.write(
            """
            janitor_interval: 200ms
            lease: 1s
            retry: {table: [200ms]}
            shutdown_grace: 5s
            workers: {concurrency: 8}
            queues:
              kq: {handler: run, concurrency: 6}
              kr: {handler: run, concurrency: 3}
            handlers:
              run:
                exec: ["\(script)"]
                env: {KILL_RUN_LOG: "\(runLog)"\(escaping ? ", KILL_ESCAPE: \"1\"" : "")}
                kill_grace: 1s
            """,
            to: "\(root)/spool.yaml"
        )
    }

    /// Removes the round's folder.
    func remove() {
        SpoolFiles.removeTree(folder)
    }

    /// The task type that makes the handler sleep `seconds` then behave as `behaviour` says: `ok`, `result`
    /// (prints a JSON result), `retry<N>` (exit 75 while the attempt is at most N), `fail<N>` (exit 3
    /// likewise) or `die` (exit 65).
    static func taskType(sleep seconds: Double, _ behaviour: String) -> String {
        let milliseconds = Int((seconds * 1000).rounded())
        let text = milliseconds == 0 ? "0" : "\(milliseconds / 1000).\(String(1000 + milliseconds % 1000).dropFirst())"
        return "kt/\(text)/\(behaviour)"
    }

    /// The task type that makes the handler sleep until the wall clock reaches the next multiple of `period`
    /// seconds, then behave as `behaviour` says: the runs of such tasks that start within one period end
    /// together.
    static func taskType(sleepUntilMultipleOf period: Int, _ behaviour: String) -> String {
        "kt/until\(period)/\(behaviour)"
    }

    /// The exec handler. It appends `<id> <attempt> <pid> <start-ms> -` to the run log when it starts and
    /// `<id> <attempt> <pid> <start-ms> <end-ms> <status>` just before it exits.
    static let handlerScript = """
        #!/bin/sh
        # The kill tests' exec handler. SPOOL_TASK_TYPE is kt/<seconds to sleep>/<behaviour>, or
        # kt/until<N>/<behaviour> to sleep until the next multiple of N seconds of the wall clock.
        if [ "$1" = late-end ]; then
            # The deliberately broken setup: this end line comes from outside the attempt's process group.
            sleep "$2"
            echo "$3 $4 $5 $6 $(date +%s%3N) $7" >> "$KILL_RUN_LOG"
            exit 0
        fi
        start=$(date +%s%3N)
        echo "$SPOOL_TASK_ID $SPOOL_TASK_ATTEMPT $$ $start -" >> "$KILL_RUN_LOG"
        rest=${SPOOL_TASK_TYPE#kt/}
        seconds=${rest%%/*}
        behaviour=${rest#*/}
        case $seconds in
            until*)
                period=$(( ${seconds#until} * 1000 ))
                wait=$(( period - $(date +%s%3N) % period ))
                seconds=$(( wait / 1000 )).$(printf '%03d' $(( wait % 1000 ))) ;;
        esac
        status=0
        case $behaviour in
            result) printf '{"attempt":%s}\\n' "$SPOOL_TASK_ATTEMPT" ;;
            retry*) [ "$SPOOL_TASK_ATTEMPT" -le "${behaviour#retry}" ] && status=75 ;;
            fail*) [ "$SPOOL_TASK_ATTEMPT" -le "${behaviour#fail}" ] && status=3 ;;
            die) status=65 ;;
        esac
        if [ -n "$KILL_ESCAPE" ]; then
            setsid "$0" late-end "$seconds" "$SPOOL_TASK_ID" "$SPOOL_TASK_ATTEMPT" "$$" "$start" "$status" &
            sleep "$seconds"
            exit $status
        fi
        [ "$seconds" = 0 ] || sleep "$seconds"
        echo "$SPOOL_TASK_ID $SPOOL_TASK_ATTEMPT $$ $start $(date +%s%3N) $status" >> "$KILL_RUN_LOG"
        exit $status

        """
}

/// A child process of a kill test.
struct KillChild: Sendable {
    let process: ChildProcess

    /// Starts `executable` with `arguments` and extra `environment`.
    init(_ executable: String, _ arguments: [String], environment: [String: String] = [:]) throws {
        process = try ChildProcess(executable, arguments, environment: environment)
    }

    var pid: Int32 { process.pid }

    /// Waits for the child to end; returns how it ended and what it wrote.
    func finish() async -> (exit: ChildProcess.Exit, output: String, error: String) {
        let exit = await process.waitForExit()
        return (exit, process.output, process.errorOutput)
    }
}
