import Synchronization
package import SystemPackage

/// A plan of failures to inject into the system calls made by the current task, for tests.
///
/// Only debug builds (`ENABLE_MOCKING`) consult it, and only the task that installed it with
/// ``withFaults(_:_:)`` sees it, so tests running in parallel do not disturb each other.
package final class SyscallFaults: Sendable {
    /// What an injected fault does.
    package enum Action: Sendable {
        /// The call fails with this errno and has no effect.
        case fail(Errno)
        /// The process dies at once with SIGKILL, before the call runs: a simulated crash or power cut.
        case crash
        /// The process stops itself with SIGSTOP just before the call, and makes the call once it is
        /// continued (SIGCONT): a test acts on the spool at that instant, as another process would.
        case stop
        /// The call is not made and reports success (0), as a device that ignores flushes would: meant for
        /// `fsync`, `fdatasync` and `syncfs`, whose skipping changes nothing a process can see, only what
        /// survives a power loss. The power-loss tests use it to check that they catch a weakened build.
        case skip
    }

    private struct Rule {
        var call: String
        var skip: Int
        var remaining: Int
        var action: Action
    }

    private let rules: Mutex<[Rule]>
    private let calls = Mutex<[String: Int]>([:])
    private let flushes = Mutex<[String]>([])
    /// Whether the paths of flushed descriptors are kept (see ``flushedPaths``).
    let recordsFlushes: Bool

    /// Creates an empty plan; with `recordingFlushes`, the path of every descriptor passed to `fsync` or
    /// `fdatasync` is kept, in order, for tests of what an operation makes durable.
    package init(recordingFlushes: Bool = false) {
        rules = Mutex([])
        recordsFlushes = recordingFlushes
    }

    /// The paths flushed so far, as `fsync /path` or `fdatasync /path`, when recording.
    package var flushedPaths: [String] { flushes.withLock { $0 } }

    func recordFlush(_ call: String, path: String) {
        flushes.withLock { $0.append("\(call) \(path)") }
    }

    /// Adds a rule: after `skip` successful calls named `call`, the next `times` calls take `action`.
    @discardableResult
    package func inject(_ action: Action, into call: String, after skip: Int = 0, times: Int = 1) -> SyscallFaults {
        rules.withLock { $0.append(Rule(call: call, skip: skip, remaining: times, action: action)) }
        return self
    }

    /// How many times `call` was made (including those that were failed on purpose).
    package func count(_ call: String) -> Int {
        calls.withLock { $0[call, default: 0] }
    }

    /// Returns the action for this call of `call`, if a rule applies.
    func take(_ call: String) -> Action? {
        calls.withLock { $0[call, default: 0] += 1 }
        return rules.withLock { rules -> Action? in
            guard let index = rules.firstIndex(where: { $0.call == call && $0.remaining > 0 }) else { return nil }
            if rules[index].skip > 0 {
                rules[index].skip -= 1
                return nil
            }
            rules[index].remaining -= 1
            return rules[index].action
        }
    }

    /// The plan in force for the current task.
    @TaskLocal package static var current: SyscallFaults?

    /// Runs `body` with `faults` injected into the system calls it makes.
    package static func withFaults<R>(_ faults: SyscallFaults, _ body: () throws -> R) rethrows -> R {
        try $current.withValue(faults, operation: body)
    }
}
