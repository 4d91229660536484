import SpoolSystem
import SystemPackage

#if canImport(Glibc)
import Glibc
#endif

/// A child process of the benchmark (a `spoold`, a worker, a producer script), with optional pipes to its
/// standard input and from its standard output; its standard error is the benchmark's.
final class BenchProcess {
    let pid: pid_t
    private var input: FileDescriptor?
    private var output: FileDescriptor?
    private var buffered: [UInt8] = []

    /// Starts `arguments[0]` (a path, or a name looked up in `PATH`) with the rest as its arguments.
    init(_ arguments: [String], pipeInput: Bool = false, pipeOutput: Bool = false) throws {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        var childEnds: [FileDescriptor] = []
        defer { childEnds.forEach { $0.closeQuietly() } }
        /// A pipe whose child end becomes the child's descriptor `target`; returns the parent's end.
        func pipe(to target: Int32, childReads: Bool) throws -> FileDescriptor {
            let (read, write) = try FileDescriptor.pipe()
            let (child, parent) = childReads ? (read, write) : (write, read)
            _ = fcntl(parent.rawValue, F_SETFD, FD_CLOEXEC)
            posix_spawn_file_actions_adddup2(&actions, child.rawValue, target)
            posix_spawn_file_actions_addclose(&actions, parent.rawValue)
            childEnds.append(child)
            return parent
        }
        if pipeInput { input = try pipe(to: 0, childReads: true) }
        if pipeOutput { output = try pipe(to: 1, childReads: false) }
        var child = pid_t()
        let argv = arguments.map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        let result = posix_spawnp(&child, arguments[0], &actions, nil, argv, environ)
        guard result == 0 else {
            input?.closeQuietly()
            output?.closeQuietly()
            throw BenchError("cannot start \(arguments[0]): \(Errno(rawValue: result))")
        }
        pid = child
    }

    /// A program built next to this one (`spoold`, or `spool-bench` itself).
    static func sibling(_ name: String) -> String {
        let own = CommandLine.arguments[0]
        guard let slash = own.lastIndex(of: "/") else { return name }
        return String(own[...slash]) + name
    }

    /// Writes a line to the child's standard input.
    func send(_ line: String) throws {
        guard let input else { throw BenchError("no pipe to the child's input") }
        try input.writeAll(Array((line + "\n").utf8))
    }

    /// The next line of the child's standard output, waiting at most `timeout` seconds (forever if `nil`);
    /// `nil` when none came in time or the output ended.
    func readLine(timeout: Double? = nil) -> String? {
        guard let output else { return nil }
        while true {
            if let newline = buffered.firstIndex(of: UInt8(ascii: "\n")) {
                let line = String(decoding: buffered[..<newline], as: UTF8.self)
                buffered.removeSubrange(...newline)
                return line
            }
            var poller = pollfd(fd: output.rawValue, events: Int16(POLLIN), revents: 0)
            let waited = poll(&poller, 1, timeout.map { Int32($0 * 1000) } ?? -1)
            if waited == 0 { return nil }
            if waited < 0 { if errno == EINTR { continue } else { return nil } }
            var chunk = [UInt8](repeating: 0, count: 65536)
            let count = chunk.withUnsafeMutableBytes { read(output.rawValue, $0.baseAddress, $0.count) }
            if count < 0, errno == EINTR { continue }
            guard count > 0 else { return nil }
            buffered.append(contentsOf: chunk[..<count])
        }
    }

    /// CPU time the child has used (user and system), in seconds, from `/proc/<pid>/stat`.
    func cpuSeconds() -> Double? {
        guard let file = try? FileDescriptor.open("/proc/\(pid)/stat", .readOnly),
            let content = file.closeAfter({ try? $0.readAll(limit: 65536).bytes }),
            let close = content.lastIndex(of: UInt8(ascii: ")"))
        else { return nil }
        // Fields after the command name start at field 3; utime and stime are fields 14 and 15.
        let fields = String(decoding: content[(close + 2)...], as: UTF8.self).split(separator: " ")
        guard fields.count > 12, let user = Double(fields[11]), let system = Double(fields[12]) else { return nil }
        return (user + system) / Double(sysconf(Int32(_SC_CLK_TCK)))
    }

    /// CPU time the child's threads now running have used, in seconds, to the nanosecond: the sum of the
    /// first field of `/proc/<pid>/task/*/schedstat`. Finer than ``cpuSeconds()``'s clock ticks, for
    /// figures of a millisecond or less.
    func threadCPUSeconds() -> Double? {
        var nanoseconds: Int64 = 0
        var found = false
        try? Syscall.forEachEntry(in: "/proc/\(pid)/task") { entry in
            guard let file = try? FileDescriptor.open("/proc/\(pid)/task/\(entry.name)/schedstat", .readOnly),
                let content = file.closeAfter({ try? $0.readAll(limit: 4096).bytes }),
                let first = String(decoding: content, as: UTF8.self).split(separator: " ").first,
                let value = Int64(first)
            else { return true }
            nanoseconds += value
            found = true
            return true
        }
        return found ? Double(nanoseconds) / 1_000_000_000 : nil
    }

    /// VmRSS from `/proc/<pid>/status`, in kB.
    func residentKilobytes() -> Int? {
        guard let file = try? FileDescriptor.open("/proc/\(pid)/status", .readOnly),
            let content = file.closeAfter({ try? $0.readAll(limit: 65536).bytes })
        else { return nil }
        let text = String(decoding: content, as: UTF8.self)
        guard let line = text.split(separator: "\n").first(where: { $0.hasPrefix("VmRSS:") }) else { return nil }
        return Int(line.split(separator: " ").dropFirst().first ?? "")
    }

    /// Waits for the child to exit and returns its exit status (128 + the signal if it was killed).
    @discardableResult
    func wait() -> Int32 {
        input?.closeQuietly()
        input = nil
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0, errno == EINTR {}
        output?.closeQuietly()
        output = nil
        let signal = status & 0x7f
        return signal == 0 ? (status >> 8) & 0xff : 128 + signal
    }

    /// Sends SIGTERM and waits for the child to exit.
    func stop() {
        kill(pid, SIGTERM)
        wait()
    }
}

/// A benchmark that could not run, with its reason.
struct BenchError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
