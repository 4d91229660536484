import Synchronization
import SystemPackage

#if canImport(Glibc)
@preconcurrency import Glibc
#elseif canImport(Musl)
@preconcurrency import Musl
#endif

/// Facts about processes on this host: the host name, and whether a process identified by pid and start
/// time still runs (the start time tells a reused pid apart).
public enum LocalProcess {
    /// This host's name. The corresponding C function is `gethostname`.
    public static let hostName: String = {
        var buffer = [CChar](repeating: 0, count: 256)
        guard gethostname(&buffer, buffer.count - 1) == 0 else { return "localhost" }
        return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }()

    /// Sets the environment variable `name` to `value` for this process and the processes it starts.
    /// The corresponding C function is `setenv`.
    public static func setEnvironment(_ name: String, to value: String) {
        setenv(name, value, 1)
    }

    /// The value of the environment variable `name`, if set and not empty.
    /// The corresponding C function is `getenv`.
    public static func environment(_ name: String) -> String? {
        guard let value = getenv(name) else { return nil }
        let text = String(cString: value)
        return text.isEmpty ? nil : text
    }

    /// Every variable of this process's environment, as name and value, in the order of `environ`; an entry
    /// without `=` is skipped.
    public static func environmentVariables() -> [(name: String, value: String)] {
        var variables: [(name: String, value: String)] = []
        var entry = environ
        while let pointer = entry.pointee {
            let text = String(cString: pointer)
            if let equals = text.firstIndex(of: "=") {
                variables.append((String(text[..<equals]), String(text[text.index(after: equals)...])))
            }
            entry += 1
        }
        return variables
    }

    /// This process's id.
    public static var id: Int32 { getpid() }

    /// The process's working directory; `nil` if it cannot be read (it was removed, say).
    public static func workingDirectory() -> String? {
        var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
        guard getcwd(&buffer, buffer.count) != nil else { return nil }
        return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// This process's start time, in clock ticks since boot, from `/proc/self/stat`.
    public static let startTicks: UInt64 = startTicks(of: getpid()) ?? 0

    /// The start time of process `pid`, in clock ticks since boot, or `nil` if no such process runs.
    /// A zombie (a process that has exited but not been reaped) does not run, unless `includingZombies`.
    public static func startTicks(of pid: Int32, includingZombies: Bool = false) -> UInt64? {
        guard let content = readSmallFile("/proc/\(pid)/stat") else { return nil }
        // Field 2 (the command) may hold spaces and parentheses: fields are counted after its last ')'.
        guard let close = content.lastIndex(of: UInt8(ascii: ")")) else { return nil }
        let fields = content[(close + 1)...].split(separator: UInt8(ascii: " "))
        // After ')' come fields 3, 4, ...: the state is field 3, the start time field 22.
        guard fields.count > 19, let state = fields.first?.first,
            includingZombies || (state != UInt8(ascii: "Z") && state != UInt8(ascii: "X") && state != UInt8(ascii: "x"))
        else { return nil }
        return UInt64(String(decoding: fields[19], as: UTF8.self))
    }

    /// Whether the process `pid` that started at `startTicks` still runs on this host.
    public static func isRunning(pid: Int32, startTicks ticks: UInt64) -> Bool {
        startTicks(of: pid) == ticks
    }
}

extension LocalProcess {
    /// The process groups on this host with a process whose environment holds every one of `variables`
    /// (`NAME=value`), leaving out groups that lead a session of their own (a process that called `setsid`
    /// to outlive its parent). A process whose environment cannot be read (another user's) is passed over.
    ///
    /// Reads `/proc/<pid>/environ` and `/proc/<pid>/stat` of every process: for rare recovery steps only.
    public static func processGroups(withEnvironment variables: [String]) -> Set<Int32> {
        let wanted = variables.map { Array($0.utf8) }
        var groups = Set<Int32>()
        for entry in (try? Syscall.entries(in: "/proc")) ?? [] {
            guard let pid = Int32(entry.name), pid > 1, let environment = readSmallFile("/proc/\(pid)/environ") else {
                continue
            }
            let present = Set(environment.split(separator: 0).map(Array.init))
            guard wanted.allSatisfy(present.contains), let stat = readSmallFile("/proc/\(pid)/stat"),
                let close = stat.lastIndex(of: UInt8(ascii: ")"))
            else { continue }
            // After ')' come fields 3, 4, ...: the process group is field 5, the session field 6.
            let fields = stat[(close + 1)...].split(separator: UInt8(ascii: " "))
            guard fields.count > 3, let group = Int32(String(decoding: fields[2], as: UTF8.self)),
                let session = Int32(String(decoding: fields[3], as: UTF8.self)), group > 1, group != session
            else { continue }
            groups.insert(group)
        }
        return groups
    }

    /// When this host booted, in milliseconds since the epoch: the wall clock less the time since boot
    /// (`CLOCK_BOOTTIME`, which counts suspended time too); 0 if unknown.
    public static var bootTime: Int64 {
        let assumed = assumedBootTime.load(ordering: .relaxed)
        return assumed != 0 ? assumed : kernelBootTime
    }

    /// Makes this process take `milliseconds` as its boot time: a test that simulates a power loss
    /// without a reboot recovers as a process of the next boot would.
    package static func assumeBoot(at milliseconds: Int64) {
        assumedBootTime.store(milliseconds, ordering: .relaxed)
    }

    private static let assumedBootTime = Atomic<Int64>(0)

    private static let kernelBootTime: Int64 = {
        var wall = timespec()
        var sinceBoot = timespec()
        guard clock_gettime(CLOCK_REALTIME, &wall) == 0, clock_gettime(CLOCK_BOOTTIME, &sinceBoot) == 0 else {
            return 0
        }
        let milliseconds = { (time: timespec) in Int64(time.tv_sec) * 1000 + Int64(time.tv_nsec) / 1_000_000 }
        return milliseconds(wall) - milliseconds(sinceBoot)
    }()

    /// The content of a small file (of `/proc`, of `/etc`), at most 1 MiB of it, or `nil` if it cannot be read.
    public static func readSmallFile(_ path: String) -> [UInt8]? {
        guard let descriptor = try? FileDescriptor.open(path, .readOnly) else { return nil }
        return descriptor.closeAfter { try? $0.readAll(limit: 1 << 20).bytes }
    }
}
