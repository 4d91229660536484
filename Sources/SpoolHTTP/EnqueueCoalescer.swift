import NIOPosix
import SpoolCore
import Synchronization

/// Commits the single-task enqueues that arrive together as one group: while one flush is under way, the
/// requests that come in wait and then share the next (``Spool/enqueueEach(documents:)``), so that 32
/// clients cost a few flushes rather than 32. A lone request is flushed at once, never held back; each
/// is still answered only once its task is durable, and accepted or refused on its own.
final class EnqueueCoalescer: Sendable {
    private struct Waiting {
        var document: [UInt8]
        var trace: TaskTrace?
        var continuation: CheckedContinuation<Result<TaskRecord, SpoolError>, Never>
    }

    private struct State {
        var waiting: [Waiting] = []
        var flushing = false
    }

    /// The most tasks one flush takes.
    static let largestGroup = 256

    private let spool: Spool
    private let state = Mutex(State())

    init(spool: Spool) {
        self.spool = spool
    }

    /// Enqueues `document` (with `trace` when it has none) with the others waiting, on NIO's blocking
    /// threads.
    func enqueue(_ document: [UInt8], trace: TaskTrace?) async -> Result<TaskRecord, SpoolError> {
        await withCheckedContinuation { continuation in
            let starts = state.withLock { state in
                state.waiting.append(Waiting(document: document, trace: trace, continuation: continuation))
                defer { state.flushing = true }
                return !state.flushing
            }
            if starts { NIOThreadPool.singleton.submit { _ in self.flushUntilNoneWait() } }
        }
    }

    /// Flushes group after group until nobody waits.
    private func flushUntilNoneWait() {
        while true {
            let group = state.withLock { state in
                let taken = Array(state.waiting.prefix(Self.largestGroup))
                state.waiting.removeFirst(taken.count)
                if taken.isEmpty { state.flushing = false }
                return taken
            }
            if group.isEmpty { return }
            let results = spool.enqueueEach(group.map { ($0.document, $0.trace) })
            for (waiting, result) in zip(group, results) { waiting.continuation.resume(returning: result) }
        }
    }
}
