import SpoolSystem
import SpoolTestSupport
import Synchronization

#if canImport(Glibc)
@preconcurrency import Glibc
#elseif canImport(Musl)
@preconcurrency import Musl
#endif

/// Reaps the handler processes that a killed `spoold` leaves behind, while a kill test runs.
///
/// An `exec` handler's process group outlives its daemon: its processes are adopted by the nearest
/// "child subreaper" ancestor, else by pid 1. Here pid 1 does not reap (a container's init need not), so
/// the killed processes would stay zombies: they hold pids until the machine restarts, and a janitor
/// waiting for a killed group to be gone waits its whole bound (a second per group) for them. So this
/// process makes itself a subreaper (`PR_SET_CHILD_SUBREAPER`) and reaps, every 50 ms, the zombies among
/// its children whose command is one of `commands`: never a child that other code started and waits for.
final class OrphanReaper: Sendable {
    private let running = Atomic<Bool>(true)
    private let reaped = Atomic<Int>(0)

    /// Starts reaping zombie children named `commands` (the `comm` of `/proc/<pid>/stat`: at most 15 bytes
    /// of the program's file name).
    init(commands: Set<String>) {
        OrphanReaper.setSubreaper(true)
        OSThread.start { [self] in
            while running.load(ordering: .relaxed) {
                reapZombies(named: commands)
                OSThread.sleep(milliseconds: 50)
            }
            reapZombies(named: commands)
        }
    }

    /// How many processes were reaped so far.
    var count: Int { reaped.load(ordering: .relaxed) }

    /// Stops adopting orphans and stops the reaping thread after one last round.
    func stop() {
        OrphanReaper.setSubreaper(false)
        running.store(false, ordering: .relaxed)
    }

    private func reapZombies(named commands: Set<String>) {
        let me = getpid()
        for entry in (try? Syscall.entries(in: "/proc")) ?? [] {
            guard let pid = Int32(entry.name), let stat = try? SpoolFiles.read("/proc/\(pid)/stat"),
                let open = stat.firstIndex(of: UInt8(ascii: "(")), let close = stat.lastIndex(of: UInt8(ascii: ")"))
            else { continue }
            // After the command: " <state> <ppid> ...".
            let fields = stat[(close + 1)...].split(separator: UInt8(ascii: " "))
            guard fields.count > 1, fields[0].first == UInt8(ascii: "Z"),
                Int32(String(decoding: fields[1], as: UTF8.self)) == me,
                commands.contains(String(decoding: stat[(open + 1)..<close], as: UTF8.self))
            else { continue }
            var status: Int32 = 0
            if waitpid(pid, &status, WNOHANG) == pid { reaped.add(1, ordering: .relaxed) }
        }
    }

    /// `prctl(PR_SET_CHILD_SUBREAPER, on)`. The function is variadic in C, so Swift does not import it; it
    /// is called through a pointer of a fixed signature, as the x86-64 and AArch64 conventions allow for
    /// integer arguments.
    private static func setSubreaper(_ on: Bool) {
        typealias Prctl = @convention(c) (Int32, UInt, UInt, UInt, UInt) -> Int32
        guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "prctl") else { return }
        let prctl = unsafeBitCast(symbol, to: Prctl.self)
        _ = prctl(36, on ? 1 : 0, 0, 0, 0)  // 36: PR_SET_CHILD_SUBREAPER
    }
}
