public import SpoolCore
import Synchronization

/// A clock that moves only when told, for tests. Sleepers wake when ``advance(by:)`` or ``set(_:)`` reaches
/// their deadline.
public final class ManualClock: WallClock {
    private struct Sleeper {
        var id: Int
        var deadline: Timestamp
        var continuation: CheckedContinuation<Void, Never>
    }

    private struct State {
        var now: Timestamp
        var sleepers: [Sleeper] = []
        var nextID = 0
    }

    private let state: Mutex<State>

    /// Creates a clock reading `start` (by default 2026-11-21T10:00:30Z).
    public init(_ start: Timestamp = Timestamp(milliseconds: 1_795_255_230_000)) {
        state = Mutex(State(now: start))
    }

    public var now: Timestamp { state.withLock { $0.now } }

    /// Moves the clock forward by `seconds`.
    public func advance(by seconds: Double) {
        set(now.adding(seconds: seconds))
    }

    /// Sets the clock to `time` and wakes the sleepers whose deadline has come.
    public func set(_ time: Timestamp) {
        let woken = state.withLock { state in
            state.now = time
            let due = state.sleepers.filter { $0.deadline <= time }
            state.sleepers.removeAll { $0.deadline <= time }
            return due.map(\.continuation)
        }
        for continuation in woken { continuation.resume() }
    }

    public func sleep(until deadline: Timestamp) async throws {
        let id = state.withLock { state in
            defer { state.nextID += 1 }
            return state.nextID
        }
        await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                let resumeNow = state.withLock { state -> Bool in
                    if deadline <= state.now || Task.isCancelled { return true }
                    state.sleepers.append(Sleeper(id: id, deadline: deadline, continuation: continuation))
                    return false
                }
                if resumeNow { continuation.resume() }
            }
        } onCancel: {
            state.withLock { state -> Sleeper? in
                guard let index = state.sleepers.firstIndex(where: { $0.id == id }) else { return nil }
                return state.sleepers.remove(at: index)
            }?.continuation.resume()
        }
        try Task.checkCancellation()
    }
}
