import SpoolSystem
import SystemPackage

#if canImport(Glibc)
import Glibc
#endif

/// A child process started by a test, with its standard output and error captured to files in a folder of
/// its own under the temporary folder, removed with the last reference to the value (a test that starts
/// thousands of children leaves nothing behind).
public final class ChildProcess: Sendable {
    /// How a child process ended.
    public enum Exit: Sendable, Equatable, CustomStringConvertible {
        /// It exited with this status.
        case exited(Int32)
        /// A signal ended it.
        case signaled(Int32)

        public var description: String {
            switch self {
            case .exited(let code): "exited with status \(code)"
            case .signaled(let signal): signal == SIGKILL ? "killed by SIGKILL" : "killed by signal \(signal)"
            }
        }
    }

    /// The child's pid.
    public let pid: Int32
    private let folder: String
    private let outputPath: String
    private let errorPath: String

    /// The folder holding the built executables (`.build/<configuration>/`), found from the test bundle.
    public static var buildFolder: String {
        var path = CommandLine.arguments[0]
        while !path.isEmpty {
            path = String(path[..<(path.lastIndex(of: "/") ?? path.startIndex)])
            if (try? Syscall.status("\(path)/spoolctl", in: .currentWorkingDirectory)) != nil { return path }
        }
        return ".build/debug"
    }

    /// Starts `executable` (a name in ``buildFolder`` or a path) with `arguments` and extra `environment`;
    /// its standard input is `input`, or empty.
    public init(
        _ executable: String,
        _ arguments: [String],
        environment: [String: String] = [:],
        input: String? = nil
    ) throws {
        let program = executable.contains("/") ? executable : "\(ChildProcess.buildFolder)/\(executable)"
        let base = TemporarySpool("child").path
        folder = base
        outputPath = "\(base)/stdout"
        errorPath = "\(base)/stderr"
        let inputPath = input == nil ? "/dev/null" : "\(base)/stdin"
        if let input {
            do {
                try SpoolFiles.write(input, to: inputPath)
            } catch {
                SpoolFiles.removeTree(base)
                throw error
            }
        }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, inputPath, O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, outputPath, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        posix_spawn_file_actions_addopen(&actions, 2, errorPath, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        var inherited: [String] = []
        var index = 0
        while let entry = environ[index] {
            let text = String(cString: entry)
            if !environment.keys.contains(where: { text.hasPrefix("\($0)=") }) { inherited.append(text) }
            index += 1
        }
        // The child starts with no blocked signals and default dispositions, whatever the test runner set.
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var noSignals = sigset_t()
        sigemptyset(&noSignals)
        var allSignals = sigset_t()
        sigfillset(&allSignals)
        posix_spawnattr_setsigmask(&attributes, &noSignals)
        posix_spawnattr_setsigdefault(&attributes, &allSignals)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))
        let variables = inherited + environment.map { "\($0.key)=\($0.value)" }
        let argv = ([program] + arguments).map { strdup($0) } + [nil]
        let envp = variables.map { strdup($0) } + [nil]
        defer {
            argv.forEach { free($0) }
            envp.forEach { free($0) }
        }
        var child = pid_t()
        let result = posix_spawn(&child, program, &actions, &attributes, argv, envp)
        guard result == 0 else {
            SpoolFiles.removeTree(base)
            throw Errno(rawValue: result)
        }
        pid = child
    }

    deinit {
        // A child still running keeps writing to its open files, which no name reaches any longer.
        SpoolFiles.removeTree(folder)
    }

    /// Sends `signal` to the child.
    public func send(_ signal: Int32) {
        kill(pid, signal)
    }

    /// Waits for the child to end and reaps it, so that `/proc/<pid>` is gone once this returns.
    public func waitForExit() -> Exit {
        var status: Int32 = 0
        while waitpid(pid, &status, 0) == -1 && errno == EINTR {}
        // The W* macros are not imported into Swift: the low 7 bits are the signal, 0 for a normal exit.
        let signal = status & 0x7f
        return signal == 0 ? .exited((status >> 8) & 0xff) : .signaled(signal)
    }

    /// Waits for the child to end and reaps it, on a thread of its own: a test waiting for a child that
    /// takes seconds to stop must not hold one of the few threads every other test's tasks run on.
    public func waitForExit() async -> Exit {
        await withCheckedContinuation { continuation in
            OSThread.start { continuation.resume(returning: self.waitForExit()) }
        }
    }

    /// Waits for the child to end; returns its exit status, or 128 + the signal that killed it.
    public func wait() -> Int32 {
        ChildProcess.status(of: waitForExit())
    }

    /// Waits for the child to end, on a thread of its own (see ``waitForExit()-async``); returns its exit
    /// status, or 128 + the signal that killed it.
    public func wait() async -> Int32 {
        ChildProcess.status(of: await waitForExit())
    }

    private static func status(of exit: Exit) -> Int32 {
        switch exit {
        case .exited(let code): code
        case .signaled(let signal): 128 + signal
        }
    }

    /// What the child wrote to standard output so far.
    public var output: String { String(decoding: (try? SpoolFiles.read(outputPath)) ?? [], as: UTF8.self) }
    /// What the child wrote to standard error so far.
    public var errorOutput: String { String(decoding: (try? SpoolFiles.read(errorPath)) ?? [], as: UTF8.self) }

    /// Runs `executable` to the end, with `input` on its standard input, and returns its status and output.
    public static func run(
        _ executable: String,
        _ arguments: [String],
        environment: [String: String] = [:],
        input: String? = nil
    ) throws -> (status: Int32, output: String, error: String) {
        let child = try ChildProcess(executable, arguments, environment: environment, input: input)
        let status = child.wait()
        return (status, child.output, child.errorOutput)
    }
}
