public import SpoolConfig
public import SpoolCore
import SpoolSystem
public import SpoolWorker
import Subprocess
import SystemPackage

/// The `exec` handler: runs a command once per attempt and lets its exit status decide the outcome.
///
/// The command (``ExecHandlerSpec/command``, an argument vector, never a shell) gets:
/// - on standard input, the task's payload encoded as JSON and followed by a newline; a payload that is a
///   JSON string arrives as a JSON string literal (`"text"`, quoted and escaped), never as raw text;
/// - the daemon's environment, the spec's variables, and `SPOOL_TASK_ID`, `SPOOL_TASK_TYPE`,
///   `SPOOL_TASK_QUEUE`, `SPOOL_TASK_ATTEMPT`, `SPOOL_TASK_MAX_ATTEMPTS` (the task's, else the spool's
///   default), `SPOOL_TASK_KEY` (when the task has a `key`), `SPOOL_DIR` (the spool's root), `SPOOL_WORKER`
///   (the daemon's worker name), `SPOOL_DEADLINE` (when the attempt times out, RFC 3339), and `TRACEPARENT`
///   and `TRACESTATE` (the attempt's W3C trace context, when the task has one);
/// - the spec's working directory, or the daemon's.
///
/// Its exit status decides, as ``ExecHandlerSpec`` describes: 0 succeeds with standard output as the result
/// (JSON if it parses, else text), a retry status asks for a retry (after the seconds printed on the first
/// line of standard output, if any), a permanent status sends the task to `dead/`, and anything else is a
/// failed attempt retried by backoff. Standard output and standard error are each kept up to
/// ``ExecHandlerSpec/maximumOutputBytes`` and read to their end whatever their size.
///
/// The command leads a process group of its own, and the attempt owns that group: when the handler is
/// cancelled (timeout or shutdown) the group gets `SIGTERM`, then `SIGKILL` once
/// ``ExecHandlerSpec/killGrace`` has passed with the command still running; and whatever is left in the
/// group once the command has exited, normally or not, gets `SIGKILL` at once. The group is recorded next to
/// the task's file while it runs, and its processes carry `SPOOL_WORKER` and `SPOOL_TASK_ID`: if the daemon
/// dies, the janitor that returns the task's lease on this host kills the group first (found by either), so
/// the attempt never overlaps the next one. A command that must leave a process
/// running starts it in a session of its own (`setsid`).
public struct ExecHandler: Sendable {
    /// How commands are run.
    public let spec: ExecHandlerSpec
    /// The spool's root directory, passed to the command as `SPOOL_DIR`.
    public let spoolRoot: String
    /// The daemon's environment with the spec's variables applied, read once: building it for every
    /// command would cost more than starting the command.
    let baseEnvironment: [Subprocess.Environment.Key: String]

    /// Creates a handler running `spec`'s command for tasks of the spool at `spoolRoot`; a relative program
    /// path (one with a `/`) is resolved against the current working directory now, and the daemon's
    /// environment is read now.
    ///
    /// - Important: This makes the whole process ignore `SIGPIPE` (see ``BrokenPipe``): a command may exit
    ///   without reading its standard input, and writing the payload must then fail, not kill the process.
    ///   Commands start with the default disposition.
    public init(spec: ExecHandlerSpec, spoolRoot: String) {
        BrokenPipe.failWritesInsteadOfSignalling()
        var spec = spec
        // A relative program path names a file from where the daemon started, not from `workingDirectory`
        // (the command's own directory, entered before the program is looked up).
        if let program = spec.command.first, program.contains("/"), !program.hasPrefix("/"),
            let directory = LocalProcess.workingDirectory()
        {
            spec.command[0] = "\(directory)/\(program)"
        }
        self.spec = spec
        self.spoolRoot = spoolRoot
        baseEnvironment = Self.baseEnvironment(applying: spec.environment)
    }

    /// Runs the command for one attempt.
    ///
    /// - Returns: The result to store (standard output as JSON or text), or `nil` for an empty output.
    /// - Throws: ``HandlerFailure`` for a failed attempt (exit status, signal, or a command that cannot be
    ///   started), or `CancellationError` once the cancelled command has been stopped and reaped.
    public func run(_ context: TaskContext) async throws -> JSONValue? {
        try Task.checkCancellation()
        guard let program = spec.command.first, !program.isEmpty else {
            throw HandlerFailure.retry("cannot run the command: it is empty")
        }
        var leader: Int32?
        // Runs once the command is reaped. The kernel keeps its pid from reuse while the group has members,
        // so this reaches only what the command left behind; then the group's record goes.
        defer {
            if let leader {
                ProcessGroup(leader: leader).kill()
                context.forgetProcessGroup()
            }
        }
        let outcome: CommandOutcome
        do {
            outcome = try await execute(program, context: context, leader: &leader)
        } catch {
            if Task.isCancelled { throw CancellationError() }
            if let error = error as? SubprocessError, leader == nil {
                throw HandlerFailure.retry("cannot run \(program): \(Self.reason(error))")
            }
            throw error
        }
        // Cancelled while the command ended (of the signals, most likely): what it did no longer counts.
        try Task.checkCancellation()
        return try outcome.result(under: spec)
    }

    /// Starts the command, feeds it the payload, drains its output and waits for it to end.
    private func execute(_ program: String, context: TaskContext, leader: inout Int32?) async throws
        -> CommandOutcome
    {
        var options = PlatformOptions()
        // 0: the child's own pid, so the child leads a new group that its descendants join.
        options.processGroupID = 0
        options.teardownSequence = [
            .gracefulShutDown(toProcessGroup: true, allowedDurationToNextStep: .seconds(max(0, spec.killGrace)))
        ]
        let limit = spec.maximumOutputBytes
        let execution = try await Subprocess.run(
            program.contains("/") ? .path(FilePath(program)) : .name(program),
            arguments: Arguments(Array(spec.command.dropFirst())),
            environment: environment(for: context),
            workingDirectory: spec.workingDirectory.map { FilePath($0) },
            platformOptions: options,
            input: .inputWriter,
            output: .sequence,
            error: .sequence
        ) { execution in
            leader = execution.processIdentifier.value
            // Recorded before the command gets its input, so that a janitor finds the group if this process
            // dies: the group would otherwise run on, unseen, beside the task's next attempt.
            do {
                try context.recordProcessGroup(leader: execution.processIdentifier.value)
            } catch {
                throw HandlerFailure.retry("cannot record the command's process group: \(error)")
            }
            async let standardOutput = BoundedBytes.drain(execution.standardOutput, limit: limit)
            async let standardError = BoundedBytes.drain(execution.standardError, limit: limit)
            let input = execution.standardInputWriter
            // A command may exit without reading its input (the write then fails with EPIPE): its exit
            // status, not the write, tells how the attempt went.
            _ = try? await input.write(JSONWriter.encode(context.payload) + [UInt8(ascii: "\n")])
            try await input.finish()
            return (try await standardOutput, try await standardError)
        }
        let termination: CommandOutcome.Termination =
            switch execution.terminationStatus {
            case .exited(let status): .exited(status)
            case .signaled(let signal): .signaled(signal)
            }
        let (standardOutput, standardError) = execution.closureResult
        return CommandOutcome(termination: termination, standardOutput: standardOutput, standardError: standardError)
    }

    /// Why a command could not be started, in a few words.
    private static func reason(_ error: SubprocessError) -> String {
        // The library reports a file without execute permission as not found, with ENOENT as the cause.
        if error.code == .executableNotFound { return "not found, or not an executable file" }
        return "\(error)"
    }
}
