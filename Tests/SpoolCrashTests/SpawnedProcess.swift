#if canImport(Glibc)
@preconcurrency import Glibc
#elseif canImport(Musl)
@preconcurrency import Musl
#endif

/// How a child process ended.
enum ChildExit: Equatable, CustomStringConvertible {
    case exited(Int32)
    case signaled(Int32)

    var description: String {
        switch self {
        case .exited(let code): "exited with status \(code)"
        case .signaled(let signal): signal == SIGKILL ? "killed by SIGKILL" : "killed by signal \(signal)"
        }
    }
}

struct SpawnedProcessError: Error, CustomStringConvertible {
    var description: String
}

/// A child process started with `posix_spawn`, its standard output and error going to a file.
struct SpawnedProcess {
    let pid: pid_t
    /// The file holding the child's standard output and error.
    let outputPath: String

    /// Starts `executable` with `arguments`, standard input from `/dev/null`, standard output and error
    /// appended to `outputPath`, an empty signal mask and default signal dispositions.
    static func spawn(_ executable: String, _ arguments: [String], outputPath: String) throws -> SpawnedProcess {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, outputPath, O_WRONLY | O_CREAT | O_APPEND, 0o644)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)

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

        let argv: [UnsafeMutablePointer<CChar>?] = ([executable] + arguments).map { strdup($0) } + [nil]
        defer { for argument in argv { free(argument) } }
        var pid: pid_t = 0
        let result = posix_spawn(&pid, executable, &actions, &attributes, argv, environ)
        guard result == 0 else {
            throw SpawnedProcessError(description: "posix_spawn \(executable): \(String(cString: strerror(result)))")
        }
        return SpawnedProcess(pid: pid, outputPath: outputPath)
    }

    /// Waits for the child to end and reaps it (so that `/proc/<pid>` is gone once this returns).
    func wait() throws -> ChildExit {
        var status: Int32 = 0
        while true {
            let result = waitpid(pid, &status, 0)
            if result == pid { break }
            if result == -1 && errno == EINTR { continue }
            throw SpawnedProcessError(description: "waitpid \(pid): \(String(cString: strerror(errno)))")
        }
        // The W* macros are not imported into Swift: low 7 bits = terminating signal, 0 = normal exit.
        let signal = status & 0x7f
        return signal == 0 ? .exited((status >> 8) & 0xff) : .signaled(signal)
    }

    /// The child's output so far.
    func output() -> String {
        guard let file = fopen(outputPath, "r") else { return "" }
        defer { fclose(file) }
        var bytes: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            let count = fread(&buffer, 1, buffer.count, file)
            if count <= 0 { break }
            bytes.append(contentsOf: buffer.prefix(count))
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}

/// Finds the `spool-test-worker` executable that the build put next to the test bundle.
enum TestWorkerLocator {
    static let name = "spool-test-worker"

    /// The path of the tool: `$SPOOL_TEST_WORKER` if set, else the first `spool-test-worker` found in the
    /// folder of the running test binary or a folder above it (`.build/<triple>/<config>/`).
    static let path: Result<String, SpawnedProcessError> = {
        if let override = getenv("SPOOL_TEST_WORKER").map({ String(cString: $0) }), !override.isEmpty {
            return access(override, X_OK) == 0
                ? .success(override)
                : .failure(SpawnedProcessError(description: "SPOOL_TEST_WORKER=\(override) is not executable"))
        }
        var starts: [String] = []
        if let executable = readLink("/proc/self/exe") { starts.append(executable) }
        if let first = CommandLine.arguments.first, !first.isEmpty { starts.append(absolute(first)) }
        var tried: [String] = []
        for start in starts {
            var folder = parent(of: start)
            // The test binary may sit inside a bundle (`*.xctest/...`): walk up a few levels.
            for _ in 0..<4 where !folder.isEmpty {
                let candidate = "\(folder)/\(name)"
                tried.append(candidate)
                if access(candidate, X_OK) == 0 { return .success(candidate) }
                folder = parent(of: folder)
            }
        }
        return .failure(
            SpawnedProcessError(
                description: "\(name) not found (tried \(tried.joined(separator: ", "))); build it with "
                    + "`swift build --build-tests` or set SPOOL_TEST_WORKER"
            )
        )
    }()

    static func resolve() throws -> String {
        try path.get()
    }

    private static func parent(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "." }
        return String(path[..<slash])
    }

    private static func absolute(_ path: String) -> String {
        if path.hasPrefix("/") { return path }
        var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
        guard getcwd(&buffer, buffer.count) != nil else { return path }
        return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self) + "/" + path
    }

    private static func readLink(_ path: String) -> String? {
        var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
        let count = readlink(path, &buffer, buffer.count - 1)
        guard count > 0 else { return nil }
        return String(decoding: buffer.prefix(count).map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}

/// Runs the test worker with `arguments` and waits for it.
///
/// - Returns: How it ended, its pid and its output.
func runTestWorker(_ arguments: [String], outputPath: String) throws -> (exit: ChildExit, pid: pid_t, output: String) {
    let child = try SpawnedProcess.spawn(try TestWorkerLocator.resolve(), arguments, outputPath: outputPath)
    let exit = try child.wait()
    let output = child.output()
    unlink(outputPath)
    return (exit, child.pid, output)
}
